// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/spawndialog.h"
#include "models/validation.h"

#include "widgets/statusbadgedelegate.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

QStringList SpawnDialog::Request::names() const
{
    if (count <= 1)
        return {name};
    QStringList out;
    for (int i = 1; i <= count; ++i)
        out << (name.isEmpty() ? QString() : u"%1-%2"_s.arg(name).arg(i));
    return out;
}

bool SpawnDialog::isValidName(const QString &name)
{
    return Validation::isAgentName(name);
}

bool SpawnDialog::isValidType(const QString &type)
{
    return Validation::isAgentType(type);
}

SpawnDialog::SpawnDialog(const QList<ProfileChoice> &profiles, QWidget *parent)
    : QDialog(parent)
    , m_profiles(profiles)
    , m_type(new QComboBox(this))
    , m_profile(new QComboBox(this))
    , m_profileInfo(new QLabel(this))
    , m_name(new QLineEdit(this))
    , m_worker(new QRadioButton(tr("&Worker: takes tasks of its type from the queue"), this))
    , m_interactive(new QRadioButton(tr("&Interactive: you type to it in its terminal"), this))
    , m_ownFolder(new QRadioButton(tr("A new folder of its own in the &workspace"), this))
    , m_existingFolder(new QRadioButton(tr("An existing &folder"), this))
    , m_repository(new QRadioButton(
          tr("A git &repository (a worktree per agent, on branch hive/NAME)"), this))
    , m_workplace(new QButtonGroup(this))
    , m_path(new QLineEdit(this))
    , m_browse(new QPushButton(tr("&Browse…"), this))
    , m_count(new QSpinBox(this))
    , m_permission(new QComboBox(this))
    , m_namesPreview(new QLabel(this))
    , m_message(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"spawnDialog"_s);
    setWindowTitle(tr("Spawn Agents"));

    m_type->setObjectName(u"typeEdit"_s);
    m_type->setEditable(true);
    m_type->setInsertPolicy(QComboBox::NoInsert);
    m_type->addItem(u"dev"_s);
    m_type->setToolTip(tr("Tasks are queued per type; workers of a type take that type's tasks."));
    connect(m_type, &QComboBox::editTextChanged, this, &SpawnDialog::validate);

    m_profile->setObjectName(u"profileCombo"_s);
    for (const ProfileChoice &p : m_profiles) {
        m_profile->addItem(p.builtin ? p.name : tr("%1 (yours)").arg(p.name), p.name);
        m_profile->setItemData(m_profile->count() - 1, p.description, Qt::ToolTipRole);
    }
    m_profileInfo->setWordWrap(true);
    QPalette dim = m_profileInfo->palette();
    dim.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    m_profileInfo->setPalette(dim);
    m_namesPreview->setPalette(dim);
    connect(m_profile, &QComboBox::currentIndexChanged, this, &SpawnDialog::profileChanged);

    m_name->setObjectName(u"nameEdit"_s);
    m_name->setPlaceholderText(tr("automatic, e.g. dev-3f2a"));
    m_name->setMaxLength(64);
    m_name->setClearButtonEnabled(true);
    connect(m_name, &QLineEdit::textChanged, this, &SpawnDialog::validate);

    m_worker->setObjectName(u"workerRadio"_s);
    m_interactive->setObjectName(u"interactiveRadio"_s);
    auto *mode = new QButtonGroup(this);
    mode->addButton(m_worker);
    mode->addButton(m_interactive);
    m_worker->setChecked(true);
    connect(m_worker, &QRadioButton::toggled, this, &SpawnDialog::validate);

    m_workplace->addButton(m_ownFolder, int(Workplace::OwnFolder));
    m_workplace->addButton(m_existingFolder, int(Workplace::ExistingFolder));
    m_workplace->addButton(m_repository, int(Workplace::Repository));
    m_ownFolder->setChecked(true);
    connect(m_workplace, &QButtonGroup::idToggled, this, &SpawnDialog::validate);
    m_path->setObjectName(u"pathEdit"_s);
    m_path->setPlaceholderText(tr("/path/to/folder"));
    m_path->setClearButtonEnabled(true);
    connect(m_path, &QLineEdit::textChanged, this, &SpawnDialog::validate);
    connect(m_browse, &QPushButton::clicked, this, &SpawnDialog::browse);

    m_count->setObjectName(u"countSpin"_s);
    m_count->setRange(1, 50);
    m_count->setValue(1);
    m_count->setToolTip(tr("More than one: they are named NAME-1, NAME-2, …"));
    connect(m_count, &QSpinBox::valueChanged, this, &SpawnDialog::validate);

    m_permission->setObjectName(u"permissionCombo"_s);
    // The first entry ("as the profile says") is filled in by updatePermissionChoice().
    m_permission->addItem(QString(), QString());
    m_permission->addItem(tr("Ask (default): a worker cannot ask, so a task that edits fails with "
                             "\"needs permission\""),
                          u"default"_s);
    m_permission->addItem(
        tr("Auto-accept edits (acceptEdits): edits files in its folder without asking"),
        u"acceptEdits"_s);
    m_permission->addItem(tr("Plan only (plan): reads and plans, changes nothing"), u"plan"_s);
    m_permission->addItem(
        tr("Bypass all permission checks (bypassPermissions): only in a sandbox; refused as root"),
        u"bypassPermissions"_s);
    m_permission->setToolTip(tr("What Claude Code may do without asking (its --permission-mode)."));
    connect(m_permission, &QComboBox::currentIndexChanged, this, &SpawnDialog::validate);

    m_message->setObjectName(u"problemLabel"_s);
    m_message->setWordWrap(true);
    m_message->setMinimumHeight(m_message->fontMetrics().height() * 2 + 4);
    m_message->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    QPalette red = m_message->palette();
    red.setColor(QPalette::WindowText, StatusBadgeDelegate::color(Task::Status::Failed));
    m_message->setPalette(red);

    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Spawn"));
    for (QAbstractButton *b : m_buttons->buttons())
        b->setIcon(QIcon());
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (isValid())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Type:"), m_type);
    form->addRow(tr("&Profile:"), m_profile);
    form->addRow(QString(), m_profileInfo);
    form->addRow(tr("&Name:"), m_name);
    auto *countRow = new QHBoxLayout;
    countRow->addWidget(m_count);
    countRow->addWidget(m_namesPreview, 1);
    auto *countLabel = new QLabel(tr("&How many:"), this);
    countLabel->setBuddy(m_count);
    form->addRow(countLabel, countRow);
    form->addRow(tr("P&ermissions:"), m_permission);

    auto *modeBox = new QGroupBox(tr("Kind"), this);
    auto *ml = new QVBoxLayout(modeBox);
    ml->addWidget(m_worker);
    ml->addWidget(m_interactive);

    auto *placeBox = new QGroupBox(tr("Where it works"), this);
    auto *wl = new QVBoxLayout(placeBox);
    wl->addWidget(m_ownFolder);
    wl->addWidget(m_existingFolder);
    wl->addWidget(m_repository);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    wl->addLayout(pathRow);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(modeBox);
    layout->addWidget(placeBox);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);
    setMinimumWidth(520);

    profileChanged();
    validate();
    m_name->setFocus();
}

SpawnDialog::~SpawnDialog() = default;

void SpawnDialog::setKnownTypes(const QStringList &types)
{
    const QString current = m_type->currentText();
    QSignalBlocker block(m_type);
    m_type->clear();
    QStringList all = types;
    if (!all.contains(u"dev"_s))
        all.prepend(u"dev"_s);
    m_type->addItems(all);
    m_type->setEditText(current.isEmpty() ? u"dev"_s : current);
    validate();
}

void SpawnDialog::setTakenNames(const QSet<QString> &names)
{
    m_taken = names;
    validate();
}

void SpawnDialog::setDefaultProfile(const QString &profile)
{
    const int i = m_profile->findData(profile);
    if (i >= 0)
        m_profile->setCurrentIndex(i);
}

void SpawnDialog::setRequest(const Request &r)
{
    m_type->setEditText(r.type);
    setDefaultProfile(r.profile);
    m_name->setText(r.name);
    (r.interactive ? m_interactive : m_worker)->setChecked(true);
    if (QAbstractButton *b = m_workplace->button(int(r.workplace)))
        b->setChecked(true);
    m_path->setText(r.path);
    m_count->setValue(r.count);
    const int mode = m_permission->findData(r.permissionMode);
    m_permission->setCurrentIndex(mode < 0 ? 0 : mode);
    validate();
}

SpawnDialog::Request SpawnDialog::request() const
{
    Request r;
    r.type = m_type->currentText().trimmed();
    r.name = m_name->text().trimmed();
    r.profile = m_profile->currentData().toString();
    r.workplace = static_cast<Workplace>(m_workplace->checkedId());
    r.path = r.workplace == Workplace::OwnFolder ? QString()
                                                 : QDir::cleanPath(m_path->text().trimmed());
    r.interactive = m_interactive->isChecked();
    r.permissionMode
        = m_permission->isEnabled() ? m_permission->currentData().toString() : QString();
    r.count = m_count->value();
    return r;
}

void SpawnDialog::profileChanged()
{
    const int i = m_profile->currentIndex();
    if (i < 0 || i >= m_profiles.size()) {
        m_profileInfo->clear();
        validate();
        return;
    }
    const ProfileChoice &p = m_profiles.at(i);
    m_profileInfo->setText(p.description.isEmpty()
                               ? (p.builtin ? tr("Built-in profile.") : tr("Your profile."))
                               : p.description);
    // The profile says how it runs; the user may still choose otherwise where that works.
    (p.interactive ? m_interactive : m_worker)->setChecked(true);
    validate();
}

void SpawnDialog::updatePermissionChoice()
{
    const int i = m_profile->currentIndex();
    const QString mode
        = i >= 0 && i < m_profiles.size() ? m_profiles.at(i).permissionMode : QString();
    m_permission->setEnabled(!mode.isEmpty());
    if (mode.isEmpty()) {
        m_permission->setItemText(0, tr("None: this profile has no permission mode"));
        return;
    }
    // The engine's rule (Profiles::permissionModeFor): the profile's default in a folder of the
    // agent's own, never more than "ask" in an existing folder.
    const bool own = m_workplace->checkedId() != int(Workplace::ExistingFolder);
    const bool permissive
        = mode == u"acceptEdits"_s || mode == u"auto"_s || mode == u"bypassPermissions"_s;
    const QString effective = own || !permissive ? mode : u"default"_s;
    m_permission->setItemText(
        0,
        own ? tr("As the profile says: %1").arg(effective)
            : tr("As the profile says: %1 (in an existing folder)").arg(effective));
}

void SpawnDialog::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this,
        m_repository->isChecked() ? tr("Git Repository") : tr("Working Folder"),
        m_path->text().isEmpty() ? QDir::homePath() : m_path->text());
    if (!dir.isEmpty()) {
        m_path->setText(dir);
        if (m_ownFolder->isChecked())
            m_existingFolder->setChecked(true);
    }
}

void SpawnDialog::validate()
{
    updatePermissionChoice(); // before request(), which reads whether it is enabled
    const Request r = request();
    QString problem;
    const bool needsPath = r.workplace != Workplace::OwnFolder;
    m_path->setEnabled(needsPath);
    m_browse->setEnabled(needsPath);

    const QStringList names = r.names();
    if (r.count > 1 && !r.name.isEmpty())
        m_namesPreview->setText(tr("%1 … %2").arg(names.first(), names.last()));
    else if (r.count > 1)
        m_namesPreview->setText(tr("named automatically"));
    else
        m_namesPreview->clear();

    if (!isValidType(r.type)) {
        problem
            = r.type.isEmpty()
                  ? tr("Give the agents a type, e.g. dev.")
                  : tr("The type may have lower-case letters, digits, '_' and '-' (at most 32), "
                       "starting with a letter or a digit.");
    } else if (!r.name.isEmpty() && !isValidName(r.name)) {
        problem = tr("The name may have letters, digits, '_' and '-' (at most 64), starting with a "
                     "letter or a "
                     "digit; no spaces, dots or colons.");
    } else if (r.count > 1 && !r.name.isEmpty() && !isValidName(names.last())) {
        problem = tr("%1 is too long: keep the name shorter so that the numbered names fit in 64 "
                     "characters.")
                      .arg(names.last());
    } else if (m_profile->currentIndex() < 0) {
        problem = tr("There is no agent profile to spawn.");
    } else if (!r.interactive && m_profile->currentIndex() < m_profiles.size()
               && !m_profiles.at(m_profile->currentIndex()).takesPrompt) {
        problem = tr("Profile %1 has no {prompt} in its command, so it cannot run tasks as a "
                     "worker: spawn it "
                     "as an interactive agent.")
                      .arg(r.profile);
    } else if (needsPath && r.path.isEmpty()) {
        problem = r.workplace == Workplace::Repository ? tr("Choose the git repository.")
                                                       : tr("Choose the folder to work in.");
    } else if (needsPath && (!QFileInfo(r.path).isAbsolute() || !QFileInfo(r.path).isDir())) {
        problem = tr("%1 is not an existing folder.").arg(r.path);
    } else if (r.workplace == Workplace::Repository
               && !QFileInfo::exists(QDir(r.path).filePath(u".git"_s))) {
        problem = tr("%1 is not a git repository (it has no .git).").arg(r.path);
    } else {
        for (const QString &n : names) {
            if (!n.isEmpty() && m_taken.contains(n)) {
                problem = tr("An agent named %1 is already running.").arg(n);
                break;
            }
        }
    }
    m_problem = problem;
    m_message->setText(problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
    m_name->setToolTip(problem);
}

} // namespace Hive
