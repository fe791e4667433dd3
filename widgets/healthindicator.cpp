// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/healthindicator.h"

using namespace Qt::StringLiterals;

namespace Hive {

HealthIndicator::HealthIndicator(const QString &name, QWidget *parent)
    : QLabel(parent)
    , m_name(name)
{
    setTextFormat(Qt::RichText);
    setContentsMargins(6, 0, 6, 0);
    render();
}

void HealthIndicator::setName(const QString &name)
{
    m_name = name;
    render();
}

void HealthIndicator::setState(State state, const QString &detail)
{
    m_state = state;
    m_detail = detail;
    render();
}

void HealthIndicator::render()
{
    QString color;
    QString word;
    switch (m_state) {
    case State::Unknown:
        color = u"#9e9e9e"_s;
        word = tr("starting");
        break;
    case State::Ok:
        color = u"#2e7d32"_s;
        word = tr("ok");
        break;
    case State::Down:
        color = u"#c62828"_s;
        word = tr("unreachable");
        break;
    }
    setText(
        u"<span style=\"color:%1\">&#9679;</span>&nbsp;%2"_s.arg(color, m_name.toHtmlEscaped()));
    setToolTip(m_detail.isEmpty() ? tr("%1: %2").arg(m_name, word)
                                  : tr("%1: %2 — %3").arg(m_name, word, m_detail));
    setAccessibleName(toolTip());
}

} // namespace Hive
