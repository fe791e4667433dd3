// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/gui/guitest.h"

#include "tests/gui/xvfb.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPixmap>
#include <QScreen>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace Hive::Test {

int runGuiTest(int argc,
               char *argv[],
               const char *name,
               QSize screen,
               const std::function<int()> &run,
               const std::function<QString(const QString &display)> &desktop)
{
    Xvfb xvfb;
    if (!xvfb.start(screen.width(), screen.height())) {
        fprintf(stderr, "%s: %s\n", name, qPrintable(xvfb.error()));
        return 1;
    }
    qputenv("DISPLAY", xvfb.display().toLocal8Bit());
    qputenv("QT_QPA_PLATFORM", "xcb");
    if (desktop) {
        if (const QString error = desktop(xvfb.display()); !error.isEmpty()) {
            fprintf(stderr, "%s: %s\n", name, qPrintable(error));
            return 1;
        }
    }
    QTemporaryDir config; // the test's own settings, not the user's
    qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(u"agenthive-test"_s);
    QCoreApplication::setApplicationName(QString::fromLatin1(name));
    app.setAttribute(Qt::AA_Use96Dpi, true);
    return run();
}

bool saveScreenshot(const QString &file, QWidget *widget)
{
    QTest::qWait(300); // let the last paint land
    const QPixmap pm = widget ? widget->grab() : QGuiApplication::primaryScreen()->grabWindow(0);
    if (!pm.save(file))
        return false;
    qInfo("screenshot %s", qPrintable(file));
    return true;
}

bool writeAgentProfile(const QString &dataDir,
                       const QString &name,
                       const QStringList &command,
                       bool interactive)
{
    const QDir dir(dataDir + u"/profiles"_s);
    if (!QDir().mkpath(dir.path()))
        return false;
    QFile f(dir.filePath(name + u".json"_s));
    if (!f.open(QIODevice::WriteOnly))
        return false;
    const QByteArray json
        = QJsonDocument(QJsonObject{{u"name"_s, name},
                                    {u"description"_s, u"The test's stand-in agent CLI"_s},
                                    {u"command"_s, QJsonArray::fromStringList(command)},
                                    {u"interactive"_s, interactive}})
              .toJson();
    return f.write(json) == json.size();
}

} // namespace Hive::Test
