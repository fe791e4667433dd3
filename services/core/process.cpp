// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/core/process.h"

#include <QCollator>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Hive::Process {

Result<QByteArray>
run(const QString &program, const QStringList &args, int timeoutMs, const QString &workdir)
{
    QProcess p;
    p.setProgram(program);
    p.setArguments(args);
    if (!workdir.isEmpty())
        p.setWorkingDirectory(workdir);
    p.setStandardInputFile(QProcess::nullDevice());
    p.start();
    if (!p.waitForStarted(5000))
        return failure(u"cannot start %1: %2"_s.arg(program, p.errorString()));
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        return failure(u"%1 did not finish within %2 s"_s.arg(QFileInfo(program).fileName())
                           .arg(timeoutMs / 1000));
    }
    const QByteArray out = p.readAllStandardOutput();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        QString err = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
        if (err.isEmpty())
            err = QString::fromLocal8Bit(out).trimmed();
        return failure(u"%1 failed (exit code %2): %3"_s.arg(QFileInfo(program).fileName())
                           .arg(p.exitCode())
                           .arg(err.right(2000)));
    }
    return out;
}

QString findExecutable(const QString &name, const QStringList &extraDirs)
{
    const QString onPath = QStandardPaths::findExecutable(name);
    if (!onPath.isEmpty())
        return onPath;
    QCollator collator;
    collator.setNumericMode(true);
    for (const QString &pattern : extraDirs) {
        const QFileInfo fi(pattern);
        QStringList candidates;
        if (pattern.contains(u'*')) {
            // One wildcard level, e.g. /usr/lib/postgresql/*/bin
            const int star = pattern.indexOf(u'*');
            const QString base = pattern.left(pattern.lastIndexOf(u'/', star));
            const QString rest = pattern.mid(pattern.indexOf(u'/', star));
            const QString glob
                = pattern.mid(base.size() + 1, pattern.indexOf(u'/', star) - base.size() - 1);
            QStringList entries = QDir(base).entryList({glob}, QDir::Dirs | QDir::NoDotAndDotDot);
            std::sort(entries.begin(), entries.end(), [&](const QString &a, const QString &b) {
                return collator.compare(a, b) > 0;
            });
            for (const QString &e : entries)
                candidates << base + u'/' + e + rest;
        } else {
            candidates << pattern;
        }
        for (const QString &dir : candidates) {
            const QString path = QStandardPaths::findExecutable(name, {dir});
            if (!path.isEmpty())
                return path;
        }
    }
    return {};
}

bool isPidAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

} // namespace Hive::Process
