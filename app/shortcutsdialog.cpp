// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/shortcutsdialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

ShortcutsDialog::ShortcutsDialog(const QMenuBar *menus, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Keyboard Shortcuts"));
    auto *list = new QTreeWidget(this);
    list->setHeaderLabels({tr("Action"), tr("Shortcut")});
    list->setRootIsDecorated(false);
    list->setAlternatingRowColors(true);
    for (QMenu *menu : menus->findChildren<QMenu *>(Qt::FindDirectChildrenOnly)) {
        for (QAction *a : menu->actions()) {
            if (a->isSeparator() || a->menu() || a->shortcuts().isEmpty())
                continue;
            QStringList keys;
            for (const QKeySequence &k : a->shortcuts())
                keys << k.toString(QKeySequence::NativeText);
            list->addTopLevelItem(
                new QTreeWidgetItem({QString(a->text()).remove(u'&'), keys.join(u", "_s)}));
        }
    }
    list->addTopLevelItem(
        new QTreeWidgetItem({tr("Open the selected agent's terminal"), tr("Enter")}));
    list->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    auto *note = new QLabel(tr("While a terminal has the keyboard, Ctrl+letter and Alt+letter go "
                               "to the agent; the shortcuts with Ctrl+Shift, Alt+digit and the "
                               "function keys stay the app's."),
                            this);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addWidget(list, 1);
    layout->addWidget(buttons);
    resize(560, 620);
}

} // namespace Hive
