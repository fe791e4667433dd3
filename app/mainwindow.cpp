// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "mainwindow.h"

#include "application.h"

#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QSettings>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace Hive {

MainWindow::MainWindow(Application *app, QWidget *parent)
    : QMainWindow(parent)
    , m_app(app)
{
    setWindowTitle(tr("Agent Hive"));
    auto *placeholder = new QLabel(tr("Starting the services…"), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
    statusBar()->showMessage(tr("Starting PostgreSQL and Redis…"));
    connect(app, &Application::ready, this, [this, placeholder] {
        placeholder->setText(tr("No agents yet."));
        statusBar()->showMessage(tr("Ready"));
    });
    resize(1200, 800);
    QSettings settings;
    restoreGeometry(settings.value(u"mainwindow/geometry"_s).toByteArray());
    restoreState(settings.value(u"mainwindow/state"_s).toByteArray());
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(u"mainwindow/geometry"_s, saveGeometry());
    settings.setValue(u"mainwindow/state"_s, saveState());
    event->accept();
    QCoreApplication::quit();
}

} // namespace Hive
