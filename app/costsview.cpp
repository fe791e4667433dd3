// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// The window's money and limits: the cost dashboard's dock, the status bar's line and the tray's
// note while dispatch is held, the agents' CPU and memory into the agent list.
#include "app/mainwindow.h"
#include "app/moneysession.h"
#include "widgets/costdashboard.h"
#include "widgets/trayicon.h"

#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace Hive {

void MainWindow::buildCosts(QMenu *view)
{
    m_money = new MoneySession(m_agents, this);
    m_costDashboard = new CostDashboard(this);
    m_costDock = new QDockWidget(tr("Costs"), this);
    m_costDock->setObjectName(u"costDock"_s);
    m_costDock->setWidget(m_costDashboard);
    m_costDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                            | QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::RightDockWidgetArea, m_costDock);
    m_costDock->hide();
    QAction *show = m_costDock->toggleViewAction();
    show->setText(tr("Show &Costs"));
    show->setObjectName(u"showCosts"_s);
    view->addAction(show);
    connect(m_costDock, &QDockWidget::visibilityChanged, this, [this](bool shown) {
        if (!shown)
            return;
        if (m_costDock->width() < 460)
            resizeDocks({m_costDock}, {520}, Qt::Horizontal);
        m_money->refresh();
    });

    auto *line = new QLabel(statusBar());
    line->setObjectName(u"dispatchStatus"_s);
    line->setStyleSheet(u"QLabel { color: #c0392b; }"_s);
    line->hide();
    statusBar()->addPermanentWidget(line);

    connect(m_costDashboard, &CostDashboard::daysChanged, m_money, &MoneySession::setDays);
    connect(m_costDashboard, &CostDashboard::budgetRequested, m_money, &MoneySession::setBudget);
    connect(m_money, &MoneySession::reportReady, m_costDashboard, &CostDashboard::setReport);
    connect(m_money, &MoneySession::failed, m_costDashboard, &CostDashboard::setError);
    connect(m_money, &MoneySession::statusChanged, this, [this, line](const QString &text) {
        line->setText(text);
        line->setToolTip(text);
        line->setVisible(!text.isEmpty());
        m_tray->setDispatchNote(text);
    });
}

} // namespace Hive
