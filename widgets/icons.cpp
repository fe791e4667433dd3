// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/icons.h"

#include <QFile>
#include <QGuiApplication>
#include <QHash>
#include <QIconEngine>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QSvgRenderer>

using namespace Qt::StringLiterals;

namespace Hive::Icons {

namespace {

class SvgIconEngine : public QIconEngine
{
public:
    explicit SvgIconEngine(const QByteArray &svg)
        : m_svg(svg)
    {}

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State) override
    {
        QSvgRenderer renderer(coloured(mode));
        renderer.render(painter, rect);
    }

    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override
    {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize &size, QIcon::Mode mode, QIcon::State, qreal scale) override
    {
        const QSize px = size * scale;
        const QByteArray svg = coloured(mode);
        const QString key = u"%1x%2-%3"_s.arg(px.width()).arg(px.height()).arg(qHash(svg));
        if (auto it = m_cache.constFind(key); it != m_cache.constEnd())
            return *it;
        QPixmap pm(px);
        pm.fill(Qt::transparent);
        {
            QPainter p(&pm);
            p.setRenderHint(QPainter::Antialiasing);
            QSvgRenderer renderer(svg);
            renderer.render(&p, QRectF(QPointF(0, 0), QSizeF(px)));
        }
        pm.setDevicePixelRatio(scale);
        m_cache.insert(key, pm);
        return pm;
    }

    QSize actualSize(const QSize &size, QIcon::Mode, QIcon::State) override { return size; }
    QIconEngine *clone() const override { return new SvgIconEngine(m_svg); }
    QString key() const override { return u"hive-svg"_s; }
    bool isNull() override { return m_svg.isEmpty(); }

private:
    QByteArray coloured(QIcon::Mode mode) const
    {
        if (!m_svg.contains("currentColor"))
            return m_svg;
        const QPalette pal = QGuiApplication::palette();
        QColor c
            = pal.color(mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active,
                        mode == QIcon::Selected ? QPalette::HighlightedText : QPalette::WindowText);
        if (mode == QIcon::Disabled)
            c.setAlphaF(0.45f);
        QByteArray out = m_svg;
        out.replace("currentColor", c.name(QColor::HexRgb).toLatin1());
        if (c.alphaF() < 1.0f)
            out.replace(
                "<svg ",
                QByteArray("<svg opacity=\"" + QByteArray::number(c.alphaF(), 'f', 2) + "\" "));
        return out;
    }

    QByteArray m_svg;
    QHash<QString, QPixmap> m_cache;
};

} // namespace

QIcon get(const QString &name)
{
    static QHash<QString, QIcon> icons;
    if (auto it = icons.constFind(name); it != icons.constEnd())
        return *it;
    QFile f(u":/icons/%1.svg"_s.arg(name));
    QIcon icon;
    if (f.open(QIODevice::ReadOnly))
        icon = QIcon(new SvgIconEngine(f.readAll()));
    icons.insert(name, icon);
    return icon;
}

} // namespace Hive::Icons
