// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/gui/desktop.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QList>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

using namespace Qt::StringLiterals;

namespace Hive::Test {

namespace {

// A session bus of the test's own: everyone may own and call anything, and no
// <standard_session_servicedirs/>, so that the bus never starts the machine's notification daemon
// (dunst ships a D-Bus service file) behind the test's back.
constexpr char kBusConfig[] = R"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%1</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
)";

// Notifications at the top right, away from the tray at the bottom right; a left click runs the
// notification's default action, as on most desktops.
constexpr char kDunstConfig[] = R"([global]
    font = DejaVu Sans 10
    origin = top-right
    offset = (16, 16)
    width = 420
    frame_width = 1
    frame_color = "#8a8a8a"
    icon_position = off
    markup = full
    format = "<b>%s</b>\n%b"
    mouse_left_click = do_action, close_current
    show_indicators = no
[urgency_normal]
    background = "#2d3e50"
    foreground = "#ffffff"
    timeout = 0
[urgency_critical]
    background = "#7a2a2a"
    foreground = "#ffffff"
    timeout = 0
)";

} // namespace

Desktop::Desktop()
    : m_dir(QDir::tempPath() + u"/hive-desktop-XXXXXX"_s)
{}

Desktop::~Desktop()
{
    stop(m_notifications);
    stop(m_tray);
    stop(m_bus);
}

void Desktop::stop(pid_t &pid)
{
    if (pid <= 0)
        return;
    ::kill(pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50 && ::waitpid(pid, &status, WNOHANG) == 0; ++i)
        ::usleep(100000);
    if (::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    pid = 0;
}

pid_t Desktop::spawn(const char *const argv[], const QString &log)
{
    const QByteArray logFile = QFile::encodeName(m_dir.filePath(log));
    // The environment is made before fork(): the child of a process with threads may only call
    // async-signal-safe functions (no setenv).
    QList<QByteArray> env;
    for (char **e = environ; *e; ++e) {
        const QByteArray var(*e);
        if (!var.startsWith("DISPLAY=") && !var.startsWith("DBUS_SESSION_BUS_ADDRESS=")
            && !var.startsWith("HOME=") && !var.startsWith("XDG_CONFIG_HOME="))
            env << var;
    }
    env << "DISPLAY=" + m_display.toLocal8Bit();
    if (!m_busAddress.isEmpty())
        env << "DBUS_SESSION_BUS_ADDRESS=" + m_busAddress.toLocal8Bit();
    env << "HOME=" + QFile::encodeName(m_dir.path()); // no user's ~/.stalonetrayrc or dunstrc
    std::vector<char *> envp;
    for (QByteArray &var : env)
        envp.push_back(var.data());
    envp.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) {
        m_error = u"fork failed"_s;
        return 0;
    }
    if (pid == 0) {
#ifdef Q_OS_LINUX
        ::prctl(PR_SET_PDEATHSIG, SIGTERM); // a crashed test takes its desktop along
#endif
        const int fd = ::open(logFile.constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, STDOUT_FILENO);
            ::dup2(fd, STDERR_FILENO);
        }
        ::execvpe(argv[0], const_cast<char *const *>(argv), envp.data());
        ::_exit(127);
    }
    return pid;
}

bool Desktop::start(const QString &display)
{
    if (!m_dir.isValid()) {
        m_error = u"cannot create a temporary folder: %1"_s.arg(m_dir.errorString());
        return false;
    }
    m_display = display;

    QFile conf(m_dir.filePath(u"bus.conf"_s));
    if (!conf.open(QIODevice::WriteOnly)
        || conf.write(QString::fromLatin1(kBusConfig).arg(m_dir.filePath(u"bus"_s)).toUtf8()) < 0) {
        m_error = u"cannot write %1"_s.arg(conf.fileName());
        return false;
    }
    conf.close();
    QFile dunstrc(m_dir.filePath(u"dunstrc"_s));
    if (!dunstrc.open(QIODevice::WriteOnly) || dunstrc.write(kDunstConfig) < 0) {
        m_error = u"cannot write %1"_s.arg(dunstrc.fileName());
        return false;
    }
    dunstrc.close();

    // dbus-daemon writes its address to a pipe once it listens.
    int fds[2];
    if (::pipe(fds) != 0) {
        m_error = u"pipe: %1"_s.arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    const QByteArray config = "--config-file=" + QFile::encodeName(conf.fileName());
    const QByteArray printAddress = "--print-address=" + QByteArray::number(fds[1]);
    const char *busArgv[]
        = {"dbus-daemon", config.constData(), "--nofork", printAddress.constData(), nullptr};
    m_bus = spawn(busArgv, u"dbus.log"_s);
    ::close(fds[1]);
    QByteArray address;
    pollfd p{fds[0], POLLIN, 0};
    while (m_bus > 0 && !address.endsWith('\n')) {
        if (::poll(&p, 1, 15000) <= 0)
            break;
        char c;
        if (::read(fds[0], &c, 1) != 1)
            break;
        address += c;
    }
    ::close(fds[0]);
    if (!address.endsWith('\n')) {
        m_error = u"dbus-daemon did not start (is it installed?)"_s;
        return false;
    }
    m_busAddress = QString::fromLocal8Bit(address.trimmed());
    qputenv("DBUS_SESSION_BUS_ADDRESS", m_busAddress.toLocal8Bit());
    return startNotifications(); // the tray host when the test says: startTray()
}

bool Desktop::startTray()
{
    if (m_tray > 0)
        return true;
    const char *argv[] = {"stalonetray",
                          "--config",
                          "/dev/null",
                          "--geometry",
                          "40x1+0-0", // a panel along the bottom, the icons at its right
                          "--max-geometry",
                          "40x1",
                          "--icon-gravity",
                          "NE",
                          "--icon-size",
                          "24",
                          "--slot-size",
                          "32",
                          "--background",
                          "#2b2f36",
                          "--log-level",
                          "info",
                          nullptr};
    m_tray = spawn(argv, u"stalonetray.log"_s);
    return m_tray > 0;
}

void Desktop::stopTray()
{
    stop(m_tray);
}

bool Desktop::startNotifications()
{
    if (m_notifications > 0)
        return true;
    const QByteArray config = QFile::encodeName(m_dir.filePath(u"dunstrc"_s));
    // dunst prints each notification as it arrives; line-buffered, so the log is never behind.
    const char *argv[]
        = {"stdbuf", "-oL", "dunst", "-config", config.constData(), "-print", nullptr};
    m_notifications = spawn(argv, u"dunst.log"_s);
    return m_notifications > 0;
}

void Desktop::stopNotifications()
{
    stop(m_notifications);
}

QString Desktop::notificationLog() const
{
    QFile f(m_dir.filePath(u"dunst.log"_s));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

} // namespace Hive::Test
