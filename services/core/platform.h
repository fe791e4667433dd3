// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QString>
#include <QStringList>

// What differs between the desktops Agent Hive runs on (macOS first, Linux), in one place: the
// rest of the code base stays portable and asks here.
namespace Hive::Platform {

// A desktop to show windows on: always on macOS; on Linux and the BSDs, an X11 or Wayland display
// (or Qt's offscreen platform, as the tests use).
bool hasDisplay();

// Running as the superuser (containers, CI): PostgreSQL refuses it, Claude Code refuses to skip
// its permission checks.
bool isRoot();

// Files and folders this process (and every process it starts: tmux, PostgreSQL, Redis, the
// runners and the agent CLIs) makes are its user's alone: umask 077. Called first thing in main(),
// before any file is made. Returns the umask it replaces.
unsigned restrictNewFiles();

// The permission bits of path that let others in (group or other; 0 when private or missing).
unsigned openToOthers(const QString &path);

// On Linux, as root: the argv prefix that runs a program as user (setpriv); empty otherwise.
QStringList dropPrivilegesPrefix(const QString &user);

} // namespace Hive::Platform
