// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/gui/xvfb.h"

#include <QByteArray>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Hive::Test {

Xvfb::~Xvfb()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        int status = 0;
        for (int i = 0; i < 50 && ::waitpid(m_pid, &status, WNOHANG) == 0; ++i)
            ::usleep(100000);
        if (::waitpid(m_pid, &status, WNOHANG) == 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, &status, 0);
        }
    }
}

bool Xvfb::start(int width, int height)
{
    int fds[2];
    if (::pipe(fds) != 0) {
        m_error = u"pipe: %1"_s.arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    const QByteArray fd = QByteArray::number(fds[1]);
    const QByteArray screen = QByteArray::number(width) + 'x' + QByteArray::number(height) + "x24";
    m_pid = ::fork();
    if (m_pid < 0) {
        m_error = u"fork failed"_s;
        return false;
    }
    if (m_pid == 0) {
        ::close(fds[0]);
#ifdef Q_OS_LINUX
        ::prctl(PR_SET_PDEATHSIG, SIGTERM); // a crashed test takes its X server along
#endif
        const char *argv[] = {"Xvfb",
                              "-displayfd",
                              fd.constData(),
                              "-screen",
                              "0",
                              screen.constData(),
                              "-nolisten",
                              "tcp",
                              "-noreset",
                              nullptr};
        ::execvp("Xvfb", const_cast<char *const *>(argv));
        ::_exit(127);
    }
    ::close(fds[1]);
    // Xvfb writes the display number when it is ready.
    QByteArray number;
    pollfd p{fds[0], POLLIN, 0};
    while (!number.endsWith('\n')) {
        if (::poll(&p, 1, 15000) <= 0)
            break;
        char c;
        if (::read(fds[0], &c, 1) != 1)
            break;
        number += c;
    }
    ::close(fds[0]);
    if (!number.endsWith('\n')) {
        m_error = u"Xvfb did not start (is it installed?)"_s;
        return false;
    }
    m_display = u":"_s + QString::fromLatin1(number.trimmed());
    return true;
}

} // namespace Hive::Test
