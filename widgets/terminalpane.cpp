// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/terminalpane.h"

#include "models/agentmodel.h"
#include "widgets/icons.h"
#include "widgets/statusbadgedelegate.h"

#include <qtermwidget.h>

#include <QApplication>
#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// Keys a program in the terminal needs (readline, editors, agent CLIs): Ctrl+letter and the
// control punctuation, Alt+letter (meta). While the keyboard goes to the agent these beat the
// app's shortcuts; Ctrl+Shift+… and function keys stay the app's.
bool terminalWantsKey(const QKeyEvent *key)
{
    const Qt::KeyboardModifiers mods = key->modifiers() & ~Qt::KeypadModifier;
    const int k = key->key();
    const bool letter = k >= Qt::Key_A && k <= Qt::Key_Z;
    if (mods == Qt::ControlModifier)
        return letter || k == Qt::Key_BracketLeft || k == Qt::Key_BracketRight
               || k == Qt::Key_Backslash || k == Qt::Key_AsciiCircum || k == Qt::Key_Underscore
               || k == Qt::Key_At || k == Qt::Key_Space;
    if (mods == Qt::AltModifier)
        return letter || k == Qt::Key_Return || k == Qt::Key_Enter || k == Qt::Key_Backspace;
    return false;
}

} // namespace

TerminalPane::TerminalPane(const Target &target, bool readOnly, QWidget *parent, bool suspended)
    : QFrame(parent)
    , m_target(target)
    , m_readOnly(readOnly)
    , m_suspended(suspended)
    , m_font(defaultFont())
    , m_scheme(defaultColorScheme())
    , m_stack(new QStackedWidget(this))
    , m_header(new QWidget(this))
    , m_title(new QLabel(m_header))
    , m_badge(new QLabel(m_header))
    , m_mode(new QLabel(m_header))
    , m_keyboard(new QToolButton(m_header))
    , m_close(new QToolButton(m_header))
    , m_messagePage(new QWidget(m_stack))
    , m_message(new QLabel(m_messagePage))
    , m_reattach(new QPushButton(tr("&Reattach"), m_messagePage))
{
    setObjectName(u"terminalPane-"_s + target.agentName);
    setFrameShape(QFrame::StyledPanel);
    setLineWidth(2);

    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_mode->setObjectName(u"terminalMode"_s);
    QPalette dim = m_mode->palette();
    dim.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    m_mode->setPalette(dim);

    m_keyboard->setObjectName(u"keyboardToggle"_s);
    m_keyboard->setCheckable(true);
    m_keyboard->setIcon(Icons::get(u"keyboard"_s));
    m_keyboard->setAutoRaise(true);
    m_keyboard->setFocusPolicy(Qt::NoFocus);
    connect(
        m_keyboard, &QToolButton::clicked, this, [this](bool checked) { setReadOnly(!checked); });

    m_close->setIcon(Icons::get(u"close"_s));
    m_close->setAutoRaise(true);
    m_close->setFocusPolicy(Qt::NoFocus);
    m_close->setToolTip(tr("Close this terminal (the agent keeps running)"));
    connect(m_close, &QToolButton::clicked, this, &TerminalPane::closeRequested);

    auto *head = new QHBoxLayout(m_header);
    head->setContentsMargins(6, 2, 2, 2);
    head->setSpacing(6);
    head->addWidget(m_badge);
    head->addWidget(m_title);
    head->addWidget(m_mode, 1);
    head->addWidget(m_keyboard);
    head->addWidget(m_close);

    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setObjectName(u"terminalMessage"_s);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_reattach, &QPushButton::clicked, this, &TerminalPane::reattach);
    auto *msg = new QVBoxLayout(m_messagePage);
    msg->addStretch(1);
    msg->addWidget(m_message);
    msg->addWidget(m_reattach, 0, Qt::AlignHCenter);
    msg->addStretch(1);
    m_stack->addWidget(m_messagePage);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(1, 1, 1, 1);
    layout->setSpacing(0);
    layout->addWidget(m_header);
    layout->addWidget(m_stack, 1);
    setFocusPolicy(Qt::StrongFocus);

    updateHeader();
    start();
}

TerminalPane::~TerminalPane()
{
    stop();
}

QFont TerminalPane::defaultFont()
{
    QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    f.setStyleHint(QFont::TypeWriter);
    if (f.pointSize() < 9)
        f.setPointSize(10);
    return f;
}

QStringList TerminalPane::attachArguments(const Target &target, bool readOnly)
{
    // -u: UTF-8 whatever the app's locale says. The status line off first, in the same tmux
    // command (";" as an argument of its own separates tmux commands): the pane's header names the
    // agent and its state, and a row of the agent's screen is worth more. tmux has no per-client
    // status option, so it is the session's: an external terminal attached to the same session
    // shows no status line either.
    const QString session = u"="_s + target.session;
    QStringList args{u"-u"_s,
                     u"-L"_s,
                     target.socket,
                     u"set-option"_s,
                     u"-t"_s,
                     session + u":"_s, // a pane target: "=NAME" alone names no pane
                     u"status"_s,
                     u"off"_s,
                     u";"_s,
                     u"attach-session"_s,
                     u"-t"_s,
                     session};
    // Read-only as -r, but without the ignore-size that -r implies since tmux 3.3: the app's own
    // control-mode client counts as a sized client, so an ignore-size watcher would see the
    // top-left corner of the 200x50 window instead of a window that fits its pane.
    if (readOnly)
        args << u"-f"_s << u"read-only"_s;
    return args;
}

QStringList TerminalPane::attachEnvironment()
{
    // An empty TMUX counts as unset for tmux: the app may itself run inside a tmux session.
    return {u"TERM=xterm-256color"_s, u"TMUX="_s, u"TMUX_PANE="_s};
}

void TerminalPane::start()
{
    if (m_suspended) {
        showMessage(
            tr("%1's terminal is not shown, so it is not attached.").arg(m_target.agentName),
            false);
        return;
    }
    const QFileInfo tmux(m_target.tmuxBinary);
    if (m_target.tmuxBinary.isEmpty() || !tmux.isFile() || !tmux.isExecutable()) {
        // QTermWidget would quietly run a shell instead: say what is wrong.
        showMessage(tr("tmux was not found, so the terminal of %1 cannot be shown.\n"
                       "Install tmux (it is on PATH for the agents too) and reopen this terminal.")
                        .arg(m_target.agentName),
                    false);
        return;
    }
    QWidget *hadFocus = QApplication::focusWidget();
    auto *term = new QTermWidget(0, m_stack);
    term->setObjectName(u"terminal"_s);
    term->setTerminalFont(m_font);
    term->setColorScheme(m_scheme);
    term->setScrollBarPosition(QTermWidget::ScrollBarRight);
    term->setHistorySize(5000);
    term->setMargin(4);
    term->setBlinkingCursor(false);
    term->setTerminalSizeHint(false); // no "Size: 80 x 24" box over the agent's output
    term->setShellProgram(m_target.tmuxBinary);
    term->setArgs(attachArguments(m_target, m_readOnly));
    const QFileInfo wd(m_target.workdir);
    term->setWorkingDirectory(wd.isDir() ? wd.absoluteFilePath() : QDir::homePath());
    term->setEnvironment(attachEnvironment());
    connect(term, &QTermWidget::finished, this, [this, term] {
        if (term != m_term)
            return;
        m_attached = false;
        Q_EMIT attachedChanged(false);
        if (!m_ended)
            showMessage(
                tr("The terminal client detached from %1's session.").arg(m_target.agentName),
                true);
    });
    m_term = term;
    if (QWidget *display = term->focusProxy())
        display->installEventFilter(this);
    term->installEventFilter(this);
    m_stack->addWidget(term);
    m_stack->setCurrentWidget(term);
    setFocusProxy(term);
    term->startShellProgram();
    m_attached = true;
    // QTermWidget takes the focus when it is made; give it back.
    if (hadFocus && hadFocus != term && hadFocus->isVisible())
        hadFocus->setFocus(Qt::OtherFocusReason);
    Q_EMIT attachedChanged(true);
    updateHeader();
}

void TerminalPane::stop()
{
    if (!m_term)
        return;
    QTermWidget *term = m_term;
    m_term = nullptr;
    setFocusProxy(nullptr);
    term->disconnect(this);
    // Deleting the widget ends the attach client (its pty closes); the session is untouched.
    term->hide();
    term->deleteLater();
    if (m_attached) {
        m_attached = false;
        Q_EMIT attachedChanged(false);
    }
}

void TerminalPane::reattach()
{
    if (m_ended)
        return;
    stop();
    start();
    if (m_term && isVisible())
        m_term->setFocus(Qt::OtherFocusReason);
}

void TerminalPane::setSuspended(bool suspended)
{
    if (suspended == m_suspended)
        return;
    m_suspended = suspended;
    if (m_ended)
        return;
    stop();
    start(); // suspended: the "not attached" page
}

void TerminalPane::retarget(const Target &target)
{
    m_target = target;
    m_ended = false;
    setObjectName(u"terminalPane-"_s + target.agentName);
    updateHeader();
    reattach();
}

void TerminalPane::setReadOnly(bool readOnly)
{
    if (readOnly == m_readOnly) {
        m_keyboard->setChecked(!readOnly);
        return;
    }
    m_readOnly = readOnly;
    updateHeader();
    if (!m_ended && m_term) {
        const bool focus = m_term->hasFocus() || !readOnly;
        stop();
        start();
        if (focus && m_term)
            m_term->setFocus(Qt::OtherFocusReason);
    }
    Q_EMIT readOnlyChanged(readOnly);
}

void TerminalPane::setStatus(Agent::Status status)
{
    if (status == m_status)
        return;
    m_status = status;
    updateHeader();
}

void TerminalPane::setEnded(const QString &message)
{
    m_ended = true;
    stop();
    showMessage(message, false);
    updateHeader();
}

void TerminalPane::setCurrent(bool current)
{
    if (current == m_current)
        return;
    m_current = current;
    // The grid shows which pane the keyboard and the terminal actions go to.
    QPalette p = palette();
    p.setColor(QPalette::WindowText,
               current ? p.color(QPalette::Highlight)
                       : QApplication::palette().color(QPalette::Mid));
    setPalette(p);
    setFrameShape(current ? QFrame::Box : QFrame::StyledPanel);
}

void TerminalPane::setHeaderVisible(bool visible)
{
    m_header->setVisible(visible);
}

void TerminalPane::showMessage(const QString &text, bool canReattach)
{
    m_message->setText(text);
    m_reattach->setVisible(canReattach);
    m_stack->setCurrentWidget(m_messagePage);
    setFocusProxy(canReattach ? m_reattach : nullptr);
}

QString TerminalPane::errorText() const
{
    return m_stack->currentWidget() == m_messagePage ? m_message->text() : QString();
}

void TerminalPane::updateHeader()
{
    m_title->setText(m_target.agentName);
    const QString label = AgentModel::statusLabel(m_status);
    const QSize s = StatusBadgeDelegate::badgeSize(label, font());
    const qreal dpr = devicePixelRatioF();
    QPixmap pm(s * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    {
        QPainter p(&pm);
        StatusBadgeDelegate::paintBadge(
            &p, QRect(QPoint(0, 0), s), label, StatusBadgeDelegate::color(m_status), font());
    }
    m_badge->setPixmap(pm);
    if (m_ended)
        m_mode->setText(tr("session ended"));
    else
        m_mode->setText(m_readOnly ? tr("watching (read-only)") : tr("keyboard goes to the agent"));
    m_keyboard->setChecked(!m_readOnly);
    m_keyboard->setEnabled(!m_ended);
    m_keyboard->setToolTip(
        m_readOnly ? tr("Take the keyboard: type into the agent's session (Ctrl+Shift+K)")
                   : tr("Give the keyboard back: only watch (Ctrl+Shift+K)"));
}

QString TerminalPane::screenText() const
{
    if (!m_term)
        return {};
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    m_term->saveHistory(&buffer);
    return QString::fromUtf8(buffer.data());
}

void TerminalPane::setTerminalFont(const QFont &font)
{
    m_font = font;
    if (m_term)
        m_term->setTerminalFont(font);
}

void TerminalPane::setColorScheme(const QString &scheme)
{
    if (scheme.isEmpty() || !QTermWidget::availableColorSchemes().contains(scheme))
        return;
    m_scheme = scheme;
    if (m_term)
        m_term->setColorScheme(scheme);
}

void TerminalPane::zoomIn()
{
    m_font.setPointSizeF(qMin(m_font.pointSizeF() + 1, 48.0));
    setTerminalFont(m_font);
}

void TerminalPane::zoomOut()
{
    m_font.setPointSizeF(qMax(m_font.pointSizeF() - 1, 5.0));
    setTerminalFont(m_font);
}

void TerminalPane::copy()
{
    if (m_term)
        m_term->copyClipboard();
}

void TerminalPane::paste()
{
    if (m_term && !m_readOnly)
        m_term->pasteClipboard();
}

void TerminalPane::toggleSearch()
{
    if (m_term)
        m_term->toggleShowSearchBar();
}

bool TerminalPane::eventFilter(QObject *watched, QEvent *event)
{
    if (m_term && (watched == m_term || watched == m_term->focusProxy())) {
        switch (event->type()) {
        case QEvent::ShortcutOverride:
            if (!m_readOnly && m_attached && terminalWantsKey(static_cast<QKeyEvent *>(event))) {
                event->accept();
                return true;
            }
            break;
        case QEvent::FocusIn:
            Q_EMIT activated();
            break;
        default:
            break;
        }
    }
    return QFrame::eventFilter(watched, event);
}

} // namespace Hive
