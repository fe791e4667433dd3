// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/costs.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTreeWidget;

namespace Hive {

// A bar per day of what the agents spent, with the daily budget as a line: painted (Qt Charts is
// not in the build root), scaled to the largest of the bars and the budget.
class CostChart : public QWidget
{
    Q_OBJECT

public:
    explicit CostChart(QWidget *parent = nullptr);
    void setReport(const CostReport &report);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    CostReport m_report;
};

// The cost dashboard: today against the daily budget, the chart per day, the costs per type and
// per agent, the profiles paused by a rate limit, and the budget to set. Shows a CostReport and
// emits requests; it never calls services.
class CostDashboard : public QWidget
{
    Q_OBJECT

public:
    explicit CostDashboard(QWidget *parent = nullptr);
    void setReport(const CostReport &report);
    void setError(const QString &message);
    int days() const;

Q_SIGNALS:
    void daysChanged(int days);
    void budgetRequested(std::optional<double> usd); // nullopt: no budget

private:
    QLabel *m_today;
    QLabel *m_limits;
    QComboBox *m_days;
    CostChart *m_chart;
    QTreeWidget *m_perType;
    QTreeWidget *m_perAgent;
    QDoubleSpinBox *m_budget;
    QPushButton *m_setBudget;
    QPushButton *m_noBudget;
};

} // namespace Hive
