// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/searchpanel.h"

#include "models/searchhitmodel.h"
#include "widgets/icons.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QTextDocument>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// A hit: what and where (bold) with its date, then its snippet with the words found highlighted.
class HitDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    static constexpr int kPad = 6;

    void
    paint(QPainter *p, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QString headline = opt.text;
        opt.text.clear();
        QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &opt, p, opt.widget);

        const auto hit = index.data(SearchHitModel::HitRole).value<SearchHit>();
        const bool selected = opt.state & QStyle::State_Selected;
        const QPalette &pal = opt.palette;
        const QRect r = opt.rect.adjusted(kPad, kPad / 2, -kPad, -kPad / 2);
        p->save();
        QFont bold = opt.font;
        bold.setBold(true);
        p->setFont(bold);
        p->setPen(pal.color(selected ? QPalette::HighlightedText : QPalette::Text));
        const QString when = QLocale().toString(hit.at.toLocalTime(), QLocale::ShortFormat);
        const int whenWidth = QFontMetrics(opt.font).horizontalAdvance(when) + kPad;
        const QFontMetrics bm(bold);
        p->drawText(QRect(r.left(), r.top(), r.width() - whenWidth, bm.height()),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    bm.elidedText(headline, Qt::ElideRight, r.width() - whenWidth));
        p->setFont(opt.font);
        p->setPen(pal.color(selected ? QPalette::HighlightedText : QPalette::PlaceholderText));
        p->drawText(QRect(r.left(), r.top(), r.width(), bm.height()),
                    Qt::AlignRight | Qt::AlignVCenter,
                    when);

        QTextDocument doc;
        doc.setDefaultFont(opt.font);
        doc.setDocumentMargin(0);
        doc.setTextWidth(r.width());
        const QColor mark = selected ? pal.color(QPalette::Base) : QColor(255, 214, 10, 150);
        doc.setHtml(SearchPanel::snippetHtml(hit, mark));
        const QRect body(
            r.left(), r.top() + bm.height() + 2, r.width(), r.height() - bm.height() - 2);
        p->translate(body.topLeft());
        p->setClipRect(QRect(QPoint(0, 0), body.size()));
        QAbstractTextDocumentLayout::PaintContext ctx;
        ctx.palette.setColor(QPalette::Text,
                             pal.color(selected ? QPalette::HighlightedText : QPalette::Text));
        doc.documentLayout()->draw(p, ctx);
        p->restore();
    }

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        const QFontMetrics fm(option.font);
        // The headline and three lines of snippet.
        return {200, fm.height() * 4 + kPad * 2};
    }
};

} // namespace

SearchPanel::SearchPanel(QWidget *parent)
    : QWidget(parent)
    , m_field(new QLineEdit(this))
    , m_similar(new QToolButton(this))
    , m_status(new QLabel(this))
    , m_view(new QListView(this))
    , m_model(new SearchHitModel(this))
    , m_debounce(new QTimer(this))
{
    setObjectName(u"searchPanel"_s);
    m_field->setObjectName(u"searchField"_s);
    m_field->setPlaceholderText(tr("Search prompts, answers and terminal logs"));
    m_field->setClearButtonEnabled(true);
    m_field->addAction(Icons::get(u"search"_s), QLineEdit::LeadingPosition);
    m_field->setToolTip(tr("Words, \"a phrase\", -excluded, or: PostgreSQL's web search syntax"));
    m_similar->setObjectName(u"searchSimilar"_s);
    m_similar->setText(tr("Similar"));
    m_similar->setCheckable(true);
    m_similar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_status->setObjectName(u"searchStatus"_s);
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_view->setObjectName(u"searchHits"_s);
    m_view->setModel(m_model);
    m_view->setItemDelegate(new HitDelegate(m_view));
    m_view->setUniformItemSizes(true);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_field, 1);
    top->addWidget(m_similar);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(m_view, 1);
    setSemanticAvailable(false);

    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &SearchPanel::search);
    connect(m_field, &QLineEdit::textEdited, m_debounce, qOverload<>(&QTimer::start));
    connect(m_field, &QLineEdit::returnPressed, this, &SearchPanel::search);
    connect(m_similar, &QToolButton::toggled, this, &SearchPanel::search);
    connect(m_view, &QListView::activated, this, [this](const QModelIndex &index) {
        if (auto h = m_model->hit(index.row()))
            Q_EMIT hitActivated(*h);
    });
    // Down from the field goes to the hits.
    connect(m_field, &QLineEdit::returnPressed, this, [this] {
        if (m_model->rowCount() > 0 && !m_view->currentIndex().isValid())
            m_view->setCurrentIndex(m_model->index(0, 0));
    });
}

void SearchPanel::setSemanticAvailable(bool available)
{
    m_similar->setEnabled(available);
    if (!available)
        m_similar->setChecked(false);
    m_similar->setToolTip(available
                              ? tr("Find tasks similar in meaning (semantic search by embeddings)")
                              : tr("Semantic search is off: start Agent Hive with "
                                   "--embeddings-url pointing to an OpenAI-compatible "
                                   "embeddings endpoint"));
}

void SearchPanel::focusField()
{
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
}

void SearchPanel::search()
{
    m_debounce->stop();
    const QString q = m_field->text().trimmed();
    if (q.isEmpty()) {
        m_model->setHits({});
        m_status->clear();
        return;
    }
    m_status->setText(tr("Searching…"));
    Q_EMIT searchRequested(q, m_similar->isChecked());
}

void SearchPanel::setHits(const QList<SearchHit> &hits)
{
    m_model->setHits(hits);
    m_status->setText(hits.isEmpty() ? tr("Nothing found")
                                     : tr("%n hit(s)", nullptr, int(hits.size())));
}

void SearchPanel::setError(const QString &message)
{
    m_model->setHits({});
    m_status->setText(message);
}

QString SearchPanel::statusText() const
{
    return m_status->text();
}

QString SearchPanel::snippetHtml(const SearchHit &hit, const QColor &highlight)
{
    QString html;
    qsizetype at = 0;
    const QString style
        = u"background-color:%1;font-weight:600"_s.arg(highlight.name(QColor::HexArgb));
    for (const SearchHit::Span &m : hit.matches) {
        if (m.start < at || m.start + m.length > hit.snippet.size())
            continue;
        html += hit.snippet.mid(at, m.start - at).toHtmlEscaped();
        html += u"<span style=\"%1\">"_s.arg(style)
                + hit.snippet.mid(m.start, m.length).toHtmlEscaped() + u"</span>"_s;
        at = m.start + m.length;
    }
    html += hit.snippet.mid(at).toHtmlEscaped();
    html.replace(u'\n', u"<br>"_s);
    return html;
}

} // namespace Hive
