// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/statusbadgedelegate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace Hive {

namespace {
constexpr int kPadX = 7;
constexpr int kPadY = 2;

QFont badgeFont(const QFont &base)
{
    QFont f = base;
    f.setBold(true);
    if (f.pointSizeF() > 0)
        f.setPointSizeF(f.pointSizeF() * 0.88);
    return f;
}
} // namespace

StatusBadgeDelegate::StatusBadgeDelegate(Kind kind, int statusRole, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_kind(kind)
    , m_statusRole(statusRole)
{}

QColor StatusBadgeDelegate::color(Agent::Status status)
{
    switch (status) {
    case Agent::Status::Starting:
        return QColor(0x5c, 0x6b, 0xc0);
    case Agent::Status::Idle:
        return QColor(0x2e, 0x7d, 0x32);
    case Agent::Status::Busy:
        return QColor(0x15, 0x65, 0xc0);
    case Agent::Status::WaitingInput:
        return QColor(0xef, 0x8f, 0x00);
    case Agent::Status::Stopped:
        return QColor(0x75, 0x75, 0x75);
    case Agent::Status::Lost:
        return QColor(0xc6, 0x28, 0x28);
    }
    return Qt::gray;
}

QColor StatusBadgeDelegate::color(Task::Status status)
{
    switch (status) {
    case Task::Status::Blocked:
        return QColor(0x8d, 0x6e, 0x63);
    case Task::Status::Queued:
        return QColor(0x54, 0x6e, 0x7a);
    case Task::Status::Assigned:
        return QColor(0x00, 0x83, 0x8f);
    case Task::Status::Running:
        return QColor(0x15, 0x65, 0xc0);
    case Task::Status::Succeeded:
        return QColor(0x2e, 0x7d, 0x32);
    case Task::Status::Failed:
        return QColor(0xc6, 0x28, 0x28);
    case Task::Status::Cancelled:
        return QColor(0x75, 0x75, 0x75);
    }
    return Qt::gray;
}

QSize StatusBadgeDelegate::badgeSize(const QString &text, const QFont &font)
{
    const QFontMetrics fm(badgeFont(font));
    // A little slack: elidedText() must not shorten a text that fits.
    return {fm.horizontalAdvance(text) + 2 * kPadX + 4, fm.height() + 2 * kPadY};
}

void StatusBadgeDelegate::paintBadge(QPainter *painter,
                                     const QRect &rect,
                                     const QString &text,
                                     const QColor &color,
                                     const QFont &font)
{
    const QFont f = badgeFont(font);
    const QSize size = badgeSize(text, font);
    QRect r(rect.left(),
            rect.top() + (rect.height() - size.height()) / 2,
            qMin(size.width(), rect.width()),
            size.height());
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawRoundedRect(QRectF(r), r.height() / 2.0, r.height() / 2.0);
    // Dark text on light badges (amber), white on the others.
    painter->setPen(color.lightnessF() > 0.55 ? QColor(0x21, 0x21, 0x21) : QColor(Qt::white));
    painter->setFont(f);
    const QString shown
        = r.width() >= size.width()
              ? text
              : QFontMetrics(f).elidedText(text, Qt::ElideRight, r.width() - 2 * kPadX);
    painter->drawText(r, Qt::AlignCenter, shown);
    painter->restore();
}

void StatusBadgeDelegate::paint(QPainter *painter,
                                const QStyleOptionViewItem &option,
                                const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    // Background and selection as any cell, then the badge on top.
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
    const QVariant status = index.data(m_statusRole);
    if (!status.isValid() || text.isEmpty())
        return;
    const QColor c = m_kind == Kind::Agent ? color(static_cast<Agent::Status>(status.toInt()))
                                           : color(static_cast<Task::Status>(status.toInt()));
    const QRect r = option.rect.adjusted(4, 2, -4, -2);
    paintBadge(painter, r, text, c, option.font);
}

QSize StatusBadgeDelegate::sizeHint(const QStyleOptionViewItem &option,
                                    const QModelIndex &index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    const QSize b = badgeSize(index.data(Qt::DisplayRole).toString(), option.font);
    return {qMax(s.width(), b.width() + 8), qMax(s.height(), b.height() + 4)};
}

} // namespace Hive
