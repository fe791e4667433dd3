// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/settingsdialog.h"
#include "models/validation.h"

#include "widgets/icons.h"
#include "widgets/statusbadgedelegate.h"

#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

bool hasScheme(const QString &url, std::initializer_list<QStringView> schemes)
{
    const QUrl u(url);
    if (!u.isValid())
        return false;
    for (QStringView s : schemes)
        if (u.scheme() == s)
            return true;
    return false;
}

QLabel *noteLabel(const QString &text, QWidget *parent)
{
    auto *l = new QLabel(text, parent);
    l->setWordWrap(true);
    QPalette dim = l->palette();
    dim.setColor(QPalette::WindowText, parent->palette().color(QPalette::PlaceholderText));
    l->setPalette(dim);
    return l;
}

} // namespace

bool SettingsDialog::Values::needsRestart(const Values &running) const
{
    return databaseUrl != running.databaseUrl || redisUrl != running.redisUrl
           || apiPort != running.apiPort || tmuxSocket != running.tmuxSocket;
}

bool SettingsDialog::isValidSocketName(const QString &name)
{
    return Validation::isFileName(name);
}

SettingsDialog::SettingsDialog(const Values &values,
                               const QStringList &profiles,
                               const QStringList &colorSchemes,
                               QWidget *parent)
    : QDialog(parent)
    , m_initial(values)
    , m_defaultProfile(new QComboBox(this))
    , m_closeToTray(
          new QCheckBox(tr("&Closing the window keeps Agent Hive running in the tray"), this))
    , m_notifications(new QCheckBox(
          tr("&Notify when an agent waits for input, a task fails or all work is done"), this))
    , m_font(new QFontComboBox(this))
    , m_fontSize(new QSpinBox(this))
    , m_scheme(new QComboBox(this))
    , m_externalTerminal(new QLineEdit(this))
    , m_dbEmbedded(
          new QRadioButton(tr("&Embedded: Agent Hive runs its own in the data directory"), this))
    , m_dbExternal(new QRadioButton(tr("&URL:"), this))
    , m_dbUrl(new QLineEdit(this))
    , m_redisEmbedded(
          new QRadioButton(tr("E&mbedded: Agent Hive runs its own in the data directory"), this))
    , m_redisExternal(new QRadioButton(tr("U&RL:"), this))
    , m_redisUrl(new QLineEdit(this))
    , m_socket(new QLineEdit(this))
    , m_port(new QSpinBox(this))
    , m_restartNote(noteLabel(tr("These take effect when Agent Hive starts next time."), this))
    , m_apiUrl(new QLabel(this))
    , m_token(new QLineEdit(this))
    , m_showToken(new QToolButton(this))
    , m_copyToken(new QToolButton(this))
    , m_regenerate(new QToolButton(this))
    , m_tokenNote(noteLabel(QString(), this))
    , m_message(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"settingsDialog"_s);
    setWindowTitle(tr("Settings"));
    auto *tabs = new QTabWidget(this);

    // General
    auto *general = new QWidget(tabs);
    auto *gf = new QFormLayout(general);
    m_defaultProfile->setObjectName(u"defaultProfile"_s);
    m_defaultProfile->addItems(profiles);
    m_defaultProfile->setCurrentText(values.defaultProfile);
    gf->addRow(tr("Default &profile:"), m_defaultProfile);
    m_closeToTray->setChecked(values.closeToTray);
    m_notifications->setChecked(values.notifications);
    gf->addRow(m_closeToTray);
    gf->addRow(m_notifications);
    tabs->addTab(general, tr("&General"));

    // Terminal
    auto *terminal = new QWidget(tabs);
    auto *tf = new QFormLayout(terminal);
    m_font->setFontFilters(QFontComboBox::MonospacedFonts);
    m_font->setCurrentFont(values.terminalFont);
    m_fontSize->setRange(5, 48);
    m_fontSize->setValue(qMax(5, values.terminalFont.pointSize()));
    m_fontSize->setSuffix(tr(" pt"));
    auto *fontRow = new QHBoxLayout;
    fontRow->addWidget(m_font, 1);
    fontRow->addWidget(m_fontSize);
    auto *fontLabel = new QLabel(tr("&Font:"), terminal);
    fontLabel->setBuddy(m_font);
    tf->addRow(fontLabel, fontRow);
    m_scheme->addItems(colorSchemes);
    m_scheme->setCurrentText(values.colorScheme);
    tf->addRow(tr("&Colours:"), m_scheme);
    m_externalTerminal->setObjectName(u"externalTerminal"_s);
    m_externalTerminal->setText(values.externalTerminal);
    m_externalTerminal->setPlaceholderText(tr("automatic (x-terminal-emulator, $TERMINAL, …)"));
    m_externalTerminal->setClearButtonEnabled(true);
    tf->addRow(tr("E&xternal terminal:"), m_externalTerminal);
    tf->addRow(QString(),
               noteLabel(tr("The command that runs a program in a new terminal window, e.g. "
                            "\"konsole -e\" or \"kitty\"; the tmux command is appended."),
                         terminal));
    tabs->addTab(terminal, tr("&Terminal"));

    // Services
    auto *services = new QWidget(tabs);
    auto *sl = new QVBoxLayout(services);
    auto *pg = new QGroupBox(tr("PostgreSQL"), services);
    auto *pgl = new QGridLayout(pg);
    auto *pgGroup = new QButtonGroup(pg);
    pgGroup->addButton(m_dbEmbedded);
    pgGroup->addButton(m_dbExternal);
    m_dbUrl->setObjectName(u"databaseUrl"_s);
    m_dbUrl->setPlaceholderText(u"postgresql://user:password@host:5432/hive"_s);
    m_dbUrl->setText(values.databaseUrl);
    (values.databaseUrl.isEmpty() ? m_dbEmbedded : m_dbExternal)->setChecked(true);
    pgl->addWidget(m_dbEmbedded, 0, 0, 1, 2);
    pgl->addWidget(m_dbExternal, 1, 0);
    pgl->addWidget(m_dbUrl, 1, 1);
    auto *redis = new QGroupBox(tr("Redis"), services);
    auto *rl = new QGridLayout(redis);
    auto *redisGroup = new QButtonGroup(redis);
    redisGroup->addButton(m_redisEmbedded);
    redisGroup->addButton(m_redisExternal);
    m_redisUrl->setObjectName(u"redisUrl"_s);
    m_redisUrl->setPlaceholderText(u"redis://127.0.0.1:6379/0"_s);
    m_redisUrl->setText(values.redisUrl);
    (values.redisUrl.isEmpty() ? m_redisEmbedded : m_redisExternal)->setChecked(true);
    rl->addWidget(m_redisEmbedded, 0, 0, 1, 2);
    rl->addWidget(m_redisExternal, 1, 0);
    rl->addWidget(m_redisUrl, 1, 1);
    auto *more = new QFormLayout;
    m_socket->setObjectName(u"tmuxSocket"_s);
    m_socket->setText(values.tmuxSocket);
    more->addRow(tr("tmux &socket:"), m_socket);
    m_port->setObjectName(u"apiPort"_s);
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any free port"));
    m_port->setValue(values.apiPort);
    more->addRow(tr("API &port:"), m_port);
    sl->addWidget(pg);
    sl->addWidget(redis);
    sl->addLayout(more);
    sl->addWidget(m_restartNote);
    sl->addStretch(1);
    tabs->addTab(services, tr("&Services"));

    // API
    auto *api = new QWidget(tabs);
    auto *af = new QFormLayout(api);
    m_apiUrl->setObjectName(u"apiUrl"_s);
    m_apiUrl->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    af->addRow(tr("Address:"), m_apiUrl);
    m_token->setObjectName(u"apiToken"_s);
    m_token->setReadOnly(true);
    m_token->setEchoMode(QLineEdit::Password);
    m_showToken->setObjectName(u"showToken"_s);
    m_showToken->setCheckable(true);
    m_showToken->setIcon(Icons::get(u"watch"_s));
    m_showToken->setToolTip(tr("Show the token"));
    connect(m_showToken, &QToolButton::toggled, this, [this](bool on) {
        m_token->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password);
    });
    m_copyToken->setObjectName(u"copyToken"_s);
    m_copyToken->setIcon(Icons::get(u"copy"_s));
    m_copyToken->setToolTip(tr("Copy the token"));
    connect(m_copyToken, &QToolButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_token->text());
        m_tokenNote->setText(tr("The token is on the clipboard."));
    });
    m_regenerate->setObjectName(u"regenerateToken"_s);
    m_regenerate->setIcon(Icons::get(u"restart"_s));
    m_regenerate->setText(tr("Re&generate…"));
    m_regenerate->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    connect(m_regenerate, &QToolButton::clicked, this, [this] {
        const auto answer
            = QMessageBox::question(this,
                                    tr("Regenerate the API Token"),
                                    tr("Make a new API token? Scripts and tools that use the "
                                       "current one are refused until they get "
                                       "the new one."));
        if (answer == QMessageBox::Yes)
            Q_EMIT regenerateTokenRequested();
    });
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(m_showToken);
    tokenRow->addWidget(m_copyToken);
    tokenRow->addWidget(m_regenerate);
    auto *tokenLabel = new QLabel(tr("&Token:"), api);
    tokenLabel->setBuddy(m_token);
    af->addRow(tokenLabel, tokenRow);
    af->addRow(QString(), m_tokenNote);
    af->addRow(QString(),
               noteLabel(tr("Every request but /api/v1/health needs the header "
                            "\"Authorization: Bearer TOKEN\"."),
                         api));
    tabs->addTab(api, tr("&API"));

    m_message->setWordWrap(true);
    QPalette red = m_message->palette();
    red.setColor(QPalette::WindowText, StatusBadgeDelegate::color(Task::Status::Failed));
    m_message->setPalette(red);
    for (QAbstractButton *b : m_buttons->buttons())
        b->setIcon(QIcon());
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (isValid())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    for (QLineEdit *e : {m_dbUrl, m_redisUrl, m_socket})
        connect(e, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    for (QRadioButton *b : {m_dbEmbedded, m_dbExternal, m_redisEmbedded, m_redisExternal})
        connect(b, &QRadioButton::toggled, this, &SettingsDialog::validate);
    connect(m_port, &QSpinBox::valueChanged, this, &SettingsDialog::validate);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);
    setMinimumWidth(600);
    validate();
}

SettingsDialog::~SettingsDialog() = default;

SettingsDialog::Values SettingsDialog::values() const
{
    Values v = m_initial;
    v.databaseUrl = m_dbExternal->isChecked() ? m_dbUrl->text().trimmed() : QString();
    v.redisUrl = m_redisExternal->isChecked() ? m_redisUrl->text().trimmed() : QString();
    v.apiPort = m_port->value();
    v.tmuxSocket = m_socket->text().trimmed();
    v.defaultProfile = m_defaultProfile->currentText();
    QFont f = m_font->currentFont();
    f.setPointSize(m_fontSize->value());
    f.setStyleHint(QFont::TypeWriter);
    v.terminalFont = f;
    v.colorScheme = m_scheme->currentText();
    v.externalTerminal = m_externalTerminal->text().trimmed();
    v.closeToTray = m_closeToTray->isChecked();
    v.notifications = m_notifications->isChecked();
    return v;
}

void SettingsDialog::setApiUrl(const QString &url)
{
    m_apiUrl->setText(url.isEmpty() ? tr("not listening yet") : url);
}

void SettingsDialog::setToken(const QString &token)
{
    m_token->setText(token);
    m_tokenNote->setText(tr("Kept in the data directory's api-token file, readable only by you."));
    m_copyToken->setEnabled(!token.isEmpty());
}

void SettingsDialog::setTokenError(const QString &message)
{
    m_tokenNote->setText(message);
}

QString SettingsDialog::token() const
{
    return m_token->text();
}

void SettingsDialog::validate()
{
    m_dbUrl->setEnabled(m_dbExternal->isChecked());
    m_redisUrl->setEnabled(m_redisExternal->isChecked());
    const Values v = values();
    QString problem;
    if (m_dbExternal->isChecked() && !hasScheme(v.databaseUrl, {u"postgresql", u"postgres"}))
        problem = tr("The PostgreSQL URL must start with postgresql://.");
    else if (m_redisExternal->isChecked() && !hasScheme(v.redisUrl, {u"redis", u"unix"}))
        problem = tr("The Redis URL must start with redis:// or unix://.");
    else if (!isValidSocketName(v.tmuxSocket))
        problem
            = tr("The tmux socket name may have letters, digits, '.', '_' and '-' (at most 64).");
    m_problem = problem;
    m_message->setText(problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
    const bool restart = v.needsRestart(m_initial);
    m_restartNote->setText(restart
                               ? tr("Changed: this takes effect when Agent Hive starts next time.")
                               : tr("These take effect when Agent Hive starts next time."));
}

} // namespace Hive
