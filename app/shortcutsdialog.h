// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDialog>

class QMenuBar;

namespace Hive {

// Every shortcut of the menus, read from their actions when it opens (so it never goes stale), and
// what a terminal with the keyboard leaves to the app. GUI thread.
class ShortcutsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ShortcutsDialog(const QMenuBar *menus, QWidget *parent = nullptr);
};

} // namespace Hive
