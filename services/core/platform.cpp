// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/core/platform.h"

#include <QStandardPaths>

#include <QFile>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Hive::Platform {

bool hasDisplay()
{
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    return !qEnvironmentVariableIsEmpty("DISPLAY")
           || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
           || qEnvironmentVariable("QT_QPA_PLATFORM") == u"offscreen"_s;
#else
    return true;
#endif
}

bool isRoot()
{
    return ::geteuid() == 0;
}

unsigned restrictNewFiles()
{
    return ::umask(077);
}

unsigned openToOthers(const QString &path)
{
    struct stat st{};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return 0;
    return st.st_mode & 077;
}

QStringList dropPrivilegesPrefix(const QString &user)
{
#ifdef Q_OS_LINUX
    if (isRoot()) {
        const QString setpriv = QStandardPaths::findExecutable(u"setpriv"_s);
        const struct passwd *pw = ::getpwnam(user.toLocal8Bit().constData());
        if (!setpriv.isEmpty() && pw)
            return {setpriv,
                    u"--reuid=%1"_s.arg(pw->pw_uid),
                    u"--regid=%1"_s.arg(pw->pw_gid),
                    u"--clear-groups"_s,
                    u"--"_s};
    }
#else
    Q_UNUSED(user);
#endif
    return {};
}

} // namespace Hive::Platform
