// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/costdashboard.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

QString money(double usd)
{
    return u"$%1"_s.arg(usd, 0, 'f', usd < 10 ? 2 : 0);
}

// A round top for the scale: 1, 2 or 5 times a power of ten, at least v.
double niceCeil(double v)
{
    if (v <= 0)
        return 1;
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (const double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= v)
            return m * p;
    return 10 * p;
}

QTreeWidget *costTable(const QStringList &headers, QWidget *parent)
{
    auto *t = new QTreeWidget(parent);
    t->setHeaderLabels(headers);
    t->setRootIsDecorated(false);
    t->setUniformRowHeights(true);
    t->setSelectionMode(QAbstractItemView::NoSelection);
    t->header()->setStretchLastSection(false);
    t->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < headers.size(); ++c)
        t->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    return t;
}

} // namespace

CostChart::CostChart(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"costChart"_s);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void CostChart::setReport(const CostReport &report)
{
    m_report = report;
    QStringList tip;
    for (const auto &d : std::as_const(m_report.perDay))
        tip << tr("%1: %2 (%n run(s))", nullptr, d.runs)
                   .arg(QLocale().toString(d.day, QLocale::ShortFormat), money(d.usd));
    setToolTip(tip.join(u'\n'));
    update();
}

QSize CostChart::sizeHint() const
{
    return {480, 220};
}

QSize CostChart::minimumSizeHint() const
{
    return {240, 140};
}

void CostChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QFontMetrics fm = fontMetrics();
    p.fillRect(rect(), pal.base());
    const QList<CostReport::Day> &days = m_report.perDay;
    if (days.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("No costs yet"));
        return;
    }
    double top = 0;
    for (const auto &d : days)
        top = std::max(top, d.usd);
    if (m_report.dailyBudget)
        top = std::max(top, *m_report.dailyBudget);
    top = niceCeil(top * 1.05);

    const int left = fm.horizontalAdvance(money(top)) + 10;
    const int bottom = fm.height() + 8;
    const QRectF plot(
        left, fm.height() / 2.0 + 4, width() - left - 10, height() - bottom - fm.height());
    if (plot.width() < 20 || plot.height() < 20)
        return;
    auto yOf = [&](double usd) {
        return plot.bottom() - usd / top * plot.height();
    };

    // The scale: 0, half, top.
    p.setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DotLine));
    for (const double v : {0.0, top / 2, top}) {
        const double y = yOf(v);
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        p.save();
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRectF(0, y - fm.height() / 2.0, left - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter,
                   money(v));
        p.restore();
    }

    // The bars: today's in the highlight colour, over budget in red.
    const double slot = plot.width() / days.size();
    const double barWidth = std::max(2.0, slot * 0.7);
    const int labelEvery
        = std::max(1, int(std::ceil(fm.horizontalAdvance(u"00-00"_s) * 1.4 / slot)));
    for (qsizetype i = 0; i < days.size(); ++i) {
        const auto &d = days.at(i);
        const double x = plot.left() + slot * i + (slot - barWidth) / 2;
        const bool over = m_report.dailyBudget && d.usd >= *m_report.dailyBudget;
        const bool today = i == days.size() - 1;
        QColor c = over    ? QColor(0xd9, 0x3f, 0x3f)
                   : today ? pal.color(QPalette::Highlight)
                           : pal.color(QPalette::Highlight).lighter(150);
        const QRectF bar(x, yOf(d.usd), barWidth, plot.bottom() - yOf(d.usd));
        p.fillRect(bar, c);
        if ((days.size() - 1 - i) % labelEvery == 0) {
            p.setPen(pal.color(QPalette::Text));
            p.drawText(
                QRectF(plot.left() + slot * i - slot, plot.bottom() + 2, slot * 3, fm.height()),
                Qt::AlignHCenter | Qt::AlignTop,
                d.day.toString(u"MM-dd"_s));
        }
    }

    // The daily budget.
    if (m_report.dailyBudget) {
        const double y = yOf(*m_report.dailyBudget);
        p.setPen(QPen(QColor(0xe0, 0x8a, 0x00), 2, Qt::DashLine));
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        p.drawText(QRectF(plot.left() + 4, y - fm.height() - 2, plot.width() - 8, fm.height()),
                   Qt::AlignRight | Qt::AlignBottom,
                   tr("daily budget %1").arg(money(*m_report.dailyBudget)));
    }
}

CostDashboard::CostDashboard(QWidget *parent)
    : QWidget(parent)
    , m_today(new QLabel(this))
    , m_limits(new QLabel(this))
    , m_days(new QComboBox(this))
    , m_chart(new CostChart(this))
    , m_perType(costTable({tr("Type"), tr("Runs"), tr("Cost")}, this))
    , m_perAgent(costTable({tr("Agent"), tr("Type"), tr("Runs"), tr("Cost")}, this))
    , m_budget(new QDoubleSpinBox(this))
    , m_setBudget(new QPushButton(tr("Set budget"), this))
    , m_noBudget(new QPushButton(tr("No budget"), this))
{
    setObjectName(u"costDashboard"_s);
    m_today->setObjectName(u"costToday"_s);
    m_limits->setObjectName(u"costLimits"_s);
    m_perType->setObjectName(u"costPerType"_s);
    m_perAgent->setObjectName(u"costPerAgent"_s);
    m_budget->setObjectName(u"dailyBudget"_s);
    m_today->setWordWrap(true);
    m_limits->setWordWrap(true);
    m_limits->hide();
    for (const int d : {7, 14, 30, 90})
        m_days->addItem(tr("Last %n day(s)", nullptr, d), d);
    m_budget->setRange(0, 1000000);
    m_budget->setDecimals(2);
    m_budget->setPrefix(u"$"_s);
    m_budget->setSingleStep(1);
    m_budget->setToolTip(tr("The agents' daily budget (UTC days): a warning at 80 %, no task "
                            "handed out at 100 % until the next day or a higher budget."));

    auto *top = new QHBoxLayout;
    top->addWidget(m_today, 1);
    top->addWidget(m_days);
    auto *budget = new QHBoxLayout;
    budget->addWidget(new QLabel(tr("Daily budget:"), this));
    budget->addWidget(m_budget);
    budget->addWidget(m_setBudget);
    budget->addWidget(m_noBudget);
    budget->addStretch(1);
    auto *tables = new QSplitter(Qt::Horizontal, this);
    tables->addWidget(m_perType);
    tables->addWidget(m_perAgent);
    tables->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_limits);
    layout->addWidget(m_chart, 3);
    layout->addWidget(tables, 2);
    layout->addLayout(budget);

    connect(m_days, &QComboBox::currentIndexChanged, this, [this] { Q_EMIT daysChanged(days()); });
    connect(m_setBudget, &QPushButton::clicked, this, [this] {
        Q_EMIT budgetRequested(m_budget->value());
    });
    connect(
        m_noBudget, &QPushButton::clicked, this, [this] { Q_EMIT budgetRequested(std::nullopt); });
}

int CostDashboard::days() const
{
    return m_days->currentData().toInt();
}

void CostDashboard::setError(const QString &message)
{
    m_today->setText(tr("Costs cannot be read: %1").arg(message));
}

void CostDashboard::setReport(const CostReport &r)
{
    QString today = tr("Today: %1").arg(money(r.today));
    if (r.dailyBudget) {
        const double pct = *r.dailyBudget > 0 ? r.today / *r.dailyBudget * 100 : 100;
        today += tr(" of %1 (%2 %)").arg(money(*r.dailyBudget)).arg(pct, 0, 'f', 0);
        if (r.budgetState() == u"exhausted"_s)
            today += u" — "_s + tr("budget spent: no task is handed out until 00:00 UTC");
        else if (r.budgetState() == u"warning"_s)
            today += u" — "_s + tr("over 80 % of the budget");
        if (!m_budget->hasFocus())
            m_budget->setValue(*r.dailyBudget);
    } else {
        today += u" — "_s + tr("no daily budget");
    }
    today += u"\n"_s + tr("%1 in the last %n day(s)", nullptr, r.days).arg(money(r.total));
    m_today->setText(today);
    QPalette pal = m_today->palette();
    pal.setColor(QPalette::WindowText,
                 r.budgetState() == u"exhausted"_s ? QColor(0xd9, 0x3f, 0x3f)
                 : r.budgetState() == u"warning"_s ? QColor(0xc0, 0x70, 0x00)
                                                   : palette().color(QPalette::WindowText));
    m_today->setPalette(pal);

    QStringList limits;
    for (const ProfileLimit &l : r.limits)
        limits << tr("%1 rate-limited until %2 (%3)")
                      .arg(l.profile,
                           QLocale().toString(l.until.toLocalTime().time(), QLocale::ShortFormat),
                           l.reason);
    m_limits->setText(limits.join(u'\n'));
    m_limits->setVisible(!limits.isEmpty());

    m_chart->setReport(r);
    m_perType->clear();
    for (const auto &t : r.perType)
        m_perType->addTopLevelItem(
            new QTreeWidgetItem({t.type, QString::number(t.runs), money(t.usd)}));
    m_perAgent->clear();
    for (const auto &a : r.perAgent)
        m_perAgent->addTopLevelItem(
            new QTreeWidgetItem({a.name.isEmpty() ? a.agentId.left(8) : a.name,
                                 a.type,
                                 QString::number(a.runs),
                                 money(a.usd)}));
    for (QTreeWidget *t : {m_perType, m_perAgent})
        for (int i = 0; i < t->topLevelItemCount(); ++i)
            for (int c = 1; c < t->columnCount(); ++c)
                t->topLevelItem(i)->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
}

} // namespace Hive
