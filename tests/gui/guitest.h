// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>

#include <functional>

class QApplication;
class QWidget;

namespace Hive::Test {

// What every GUI test's main() does: a private Xvfb of `screen`, the xcb platform on it, the
// test's own settings folder (not the user's), a QApplication at 96 dpi named `name`; then run()
// (which makes the test object and runs it). `desktop`, when given, runs once the display is up
// and before the QApplication (the tray test's D-Bus, tray host and notification server): an
// error from it ends the test.
int runGuiTest(int argc,
               char *argv[],
               const char *name,
               QSize screen,
               const std::function<int()> &run,
               const std::function<QString(const QString &display)> &desktop = {});

// A screenshot once the last paint has landed: of `widget` alone, or of the whole screen. False
// when the file cannot be written.
bool saveScreenshot(const QString &file, QWidget *widget = nullptr);

// <dataDir>/profiles/<name>.json: a stand-in agent CLI's profile. False when it cannot be written.
bool writeAgentProfile(const QString &dataDir,
                       const QString &name,
                       const QStringList &command,
                       bool interactive);

} // namespace Hive::Test
