// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QLabel>

namespace Hive {

// One service's health in the status bar: a coloured dot and its name, details in the tool tip.
class HealthIndicator : public QLabel
{
    Q_OBJECT

public:
    enum class State { Unknown, Ok, Down };

    explicit HealthIndicator(const QString &name, QWidget *parent = nullptr);

    void setState(State state, const QString &detail = {});
    State state() const { return m_state; }
    void setName(const QString &name);

private:
    void render();

    QString m_name;
    QString m_detail;
    State m_state = State::Unknown;
};

} // namespace Hive
