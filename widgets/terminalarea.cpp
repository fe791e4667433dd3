// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/terminalarea.h"

#include "models/agentmodel.h"
#include "widgets/icons.h"
#include "widgets/statusbadgedelegate.h"

#include <qtermwidget.h>

#include <QAction>
#include <QActionGroup>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QStackedWidget>
#include <QStyle>
#include <QTabBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

QIcon statusDot(Agent::Status status)
{
    static QHash<int, QIcon> cache;
    if (auto it = cache.constFind(int(status)); it != cache.constEnd())
        return *it;
    QPixmap pm(32, 32);
    pm.fill(Qt::transparent);
    {
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(Qt::NoPen);
        p.setBrush(StatusBadgeDelegate::color(status));
        p.drawEllipse(QRectF(6, 6, 20, 20));
    }
    QIcon icon(pm);
    cache.insert(int(status), icon);
    return icon;
}

} // namespace

TerminalArea::TerminalArea(QWidget *parent)
    : QWidget(parent)
    , m_font(TerminalPane::defaultFont())
    , m_scheme(TerminalPane::defaultColorScheme())
    , m_stack(new QStackedWidget(this))
    , m_placeholder(new QLabel(m_stack))
    , m_tabs(new QTabWidget(m_stack))
    , m_gridPage(new QWidget(m_stack))
    , m_gridCellsWidget(new QWidget(m_gridPage))
    , m_gridLayout(new QGridLayout(m_gridCellsWidget))
    , m_pageBar(new QWidget(m_gridPage))
    , m_prevPage(new QToolButton(m_pageBar))
    , m_nextPage(new QToolButton(m_pageBar))
    , m_pageLabel(new QLabel(m_pageBar))
{
    m_placeholder->setObjectName(u"terminalPlaceholder"_s);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setText(
        tr("No terminal is open.\n\nSelect an agent and press Enter to watch it live in its tmux "
           "session.\n"
           "%1 takes the keyboard so that you type into it; closing a terminal never stops the "
           "agent.")
            .arg(
                QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K).toString(QKeySequence::NativeText)));
    QPalette dim = m_placeholder->palette();
    dim.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    m_placeholder->setPalette(dim);

    m_tabs->setObjectName(u"terminalTabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setElideMode(Qt::ElideRight);
    m_tabs->tabBar()->setFocusPolicy(Qt::NoFocus);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int i) {
        closePane(qobject_cast<TerminalPane *>(m_tabs->widget(i)));
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int i) {
        if (!m_grid)
            if (auto *p = qobject_cast<TerminalPane *>(m_tabs->widget(i)))
                setCurrentPane(p);
    });

    m_gridPage->setObjectName(u"terminalGrid"_s);
    m_gridLayout->setContentsMargins(2, 2, 2, 2);
    m_gridLayout->setSpacing(4);
    // The grid takes the room it is given, however many panes it holds: it never widens the
    // window (the pages make the panes fit instead).
    m_gridCellsWidget->setMinimumSize(1, 1);
    m_gridPage->setMinimumSize(1, 1);
    m_pageBar->setObjectName(u"gridPageBar"_s);
    m_prevPage->setObjectName(u"gridPreviousPage"_s);
    m_prevPage->setArrowType(Qt::LeftArrow);
    m_prevPage->setAutoRaise(true);
    m_prevPage->setFocusPolicy(Qt::NoFocus);
    m_prevPage->setToolTip(tr("The previous page of terminals"));
    connect(m_prevPage, &QToolButton::clicked, this, [this] { setPage(m_page - 1); });
    m_nextPage->setObjectName(u"gridNextPage"_s);
    m_nextPage->setArrowType(Qt::RightArrow);
    m_nextPage->setAutoRaise(true);
    m_nextPage->setFocusPolicy(Qt::NoFocus);
    m_nextPage->setToolTip(tr("The next page of terminals"));
    connect(m_nextPage, &QToolButton::clicked, this, [this] { setPage(m_page + 1); });
    m_pageLabel->setObjectName(u"gridPageLabel"_s);
    auto *bar = new QHBoxLayout(m_pageBar);
    bar->setContentsMargins(4, 0, 4, 2);
    bar->addStretch(1);
    bar->addWidget(m_prevPage);
    bar->addWidget(m_pageLabel);
    bar->addWidget(m_nextPage);
    bar->addStretch(1);
    auto *gridPage = new QVBoxLayout(m_gridPage);
    gridPage->setContentsMargins(0, 0, 0, 0);
    gridPage->setSpacing(0);
    gridPage->addWidget(m_gridCellsWidget, 1);
    gridPage->addWidget(m_pageBar);
    m_pageBar->hide();

    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_tabs);
    m_stack->addWidget(m_gridPage);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);

    auto make = [this](const QString &icon, const QString &text, const QString &name) {
        auto *a = new QAction(icon.isEmpty() ? QIcon() : Icons::get(icon), text, this);
        a->setObjectName(name);
        return a;
    };
    m_closeAction = make(u"close"_s, tr("&Close Terminal"), u"closeTerminal"_s);
    m_closeAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), QKeySequence(Qt::CTRL | Qt::Key_F4)});
    m_closeAction->setToolTip(tr("Close the terminal; the agent keeps running"));
    connect(m_closeAction, &QAction::triggered, this, [this] { closePane(m_current); });

    m_next = make({}, tr("&Next Terminal"), u"nextTerminal"_s);
    m_next->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Tab), QKeySequence(Qt::CTRL | Qt::Key_PageDown)});
    connect(m_next, &QAction::triggered, this, [this] { step(1); });
    m_previous = make({}, tr("&Previous Terminal"), u"previousTerminal"_s);
    m_previous->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backtab),
                              QKeySequence(Qt::CTRL | Qt::Key_PageUp)});
    connect(m_previous, &QAction::triggered, this, [this] { step(-1); });

    m_gridAction = make(u"grid"_s, tr("Watch in a &Grid"), u"terminalGrid"_s);
    m_gridAction->setCheckable(true);
    m_gridAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    m_gridAction->setToolTip(tr("Show every open terminal at once"));
    connect(m_gridAction, &QAction::toggled, this, &TerminalArea::setGrid);

    m_keyboard = make(u"keyboard"_s, tr("Take the &Keyboard"), u"takeKeyboard"_s);
    m_keyboard->setCheckable(true);
    m_keyboard->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    m_keyboard->setToolTip(tr("Type into the current agent's session instead of only watching it"));
    connect(m_keyboard, &QAction::triggered, this, [this](bool checked) {
        if (m_current) {
            m_current->setReadOnly(!checked);
            m_current->setFocus(Qt::ShortcutFocusReason);
        }
    });

    m_zoomIn = make(u"zoom-in"_s, tr("Zoom &In"), u"zoomIn"_s);
    m_zoomIn->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Plus), QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    connect(m_zoomIn, &QAction::triggered, this, [this] {
        QFont f = m_font;
        f.setPointSizeF(qMin(f.pointSizeF() + 1, 48.0));
        setTerminalFont(f);
    });
    m_zoomOut = make(u"zoom-out"_s, tr("Zoom &Out"), u"zoomOut"_s);
    m_zoomOut->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Minus));
    connect(m_zoomOut, &QAction::triggered, this, [this] {
        QFont f = m_font;
        f.setPointSizeF(qMax(f.pointSizeF() - 1, 5.0));
        setTerminalFont(f);
    });
    m_zoomReset = make({}, tr("&Reset Zoom"), u"zoomReset"_s);
    m_zoomReset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(m_zoomReset, &QAction::triggered, this, [this] {
        QFont f = m_font;
        f.setPointSizeF(TerminalPane::defaultFont().pointSizeF());
        setTerminalFont(f);
    });

    m_copy = make(u"copy"_s, tr("&Copy"), u"terminalCopy"_s);
    m_copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(m_copy, &QAction::triggered, this, [this] {
        if (m_current)
            m_current->copy();
    });
    m_paste = make(u"paste"_s, tr("&Paste"), u"terminalPaste"_s);
    m_paste->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    m_paste->setToolTip(tr("Paste into the agent's session (when you have the keyboard)"));
    connect(m_paste, &QAction::triggered, this, [this] {
        if (m_current)
            m_current->paste();
    });
    m_find = make(u"search"_s, tr("&Find in Terminal…"), u"terminalFind"_s);
    m_find->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    connect(m_find, &QAction::triggered, this, [this] {
        if (m_current)
            m_current->toggleSearch();
    });

    m_schemeMenu = new QMenu(tr("Colour &Scheme"), this);
    m_schemes = new QActionGroup(this);
    m_schemes->setExclusive(true);
    QStringList schemes = QTermWidget::availableColorSchemes();
    schemes.sort(Qt::CaseInsensitive);
    for (const QString &s : std::as_const(schemes)) {
        QAction *a = m_schemeMenu->addAction(s);
        a->setCheckable(true);
        a->setData(s);
        a->setChecked(s == m_scheme);
        m_schemes->addAction(a);
    }
    connect(m_schemes, &QActionGroup::triggered, this, [this](QAction *a) {
        setColorScheme(a->data().toString());
    });

    relayout();
}

TerminalArea::~TerminalArea() = default;

QList<QAction *> TerminalArea::actions() const
{
    return {m_closeAction,
            m_next,
            m_previous,
            m_gridAction,
            m_keyboard,
            m_zoomIn,
            m_zoomOut,
            m_zoomReset,
            m_copy,
            m_paste,
            m_find};
}

void TerminalArea::setTmux(const QString &binary, const QString &socket)
{
    m_binary = binary;
    m_socket = socket;
}

TerminalPane::Target TerminalArea::targetFor(const Agent &agent) const
{
    TerminalPane::Target t;
    t.agentId = agent.id;
    t.agentName = agent.name;
    t.session = agent.tmuxSession.isEmpty() ? agent.name : agent.tmuxSession;
    t.socket = m_socket;
    t.tmuxBinary = m_binary;
    t.workdir = agent.workdir;
    t.interactive = agent.interactive;
    return t;
}

TerminalPane *TerminalArea::open(const Agent &agent, bool readOnly, bool focus)
{
    TerminalPane *p = pane(agent.id);
    if (!p) {
        // Suspended until it is shown: opening 50 must not attach 50 clients.
        p = new TerminalPane(targetFor(agent), readOnly, m_gridPage, true);
        p->setTerminalFont(m_font);
        p->setColorScheme(m_scheme);
        p->setStatus(agent.status);
        connect(p, &TerminalPane::closeRequested, this, [this, p] { closePane(p); });
        connect(p, &TerminalPane::activated, this, [this, p] { setCurrentPane(p); });
        connect(p, &TerminalPane::readOnlyChanged, this, &TerminalArea::updateActions);
        connect(p, &TerminalPane::attachedChanged, this, &TerminalArea::updateActions);
        m_panes << p;
        relayout();
        Q_EMIT countChanged(int(m_panes.size()));
    } else if (p->isReadOnly() != readOnly && !readOnly) {
        p->setReadOnly(false); // asked to type: give it the keyboard
    }
    setCurrentPane(p, focus);
    return p;
}

TerminalPane *TerminalArea::pane(const QString &agentId) const
{
    for (TerminalPane *p : m_panes)
        if (p->agentId() == agentId)
            return p;
    return nullptr;
}

TerminalPane *TerminalArea::paneByName(const QString &agentName) const
{
    for (TerminalPane *p : m_panes)
        if (p->agentName() == agentName)
            return p;
    return nullptr;
}

void TerminalArea::setCurrentPane(TerminalPane *pane, bool focus)
{
    if (pane && !m_panes.contains(pane))
        return;
    const bool changed = pane != m_current;
    if (m_current && changed)
        m_current->setCurrent(false);
    m_current = pane;
    if (pane) {
        pane->setCurrent(m_grid);
        if (!m_grid && m_tabs->currentWidget() != pane)
            m_tabs->setCurrentWidget(pane);
        if (m_grid && m_stack->currentWidget() == m_gridPage
            && (m_big ? changed : !m_onPage.contains(pane))) {
            // The current pane is the larger one, or on the page shown.
            if (!m_big && m_perPage > 0)
                m_page = int(m_panes.indexOf(pane)) / m_perPage;
            layoutGrid();
        }
        if (!m_grid)
            applySuspension();
        if (focus)
            pane->setFocus(Qt::OtherFocusReason);
    }
    updateActions();
    if (changed)
        Q_EMIT currentAgentChanged(pane ? pane->agentId() : QString());
}

void TerminalArea::closePane(TerminalPane *pane)
{
    if (!pane || !m_panes.contains(pane))
        return;
    const int at = int(m_panes.indexOf(pane));
    m_panes.removeAt(at);
    const int tab = m_tabs->indexOf(pane);
    if (tab >= 0)
        m_tabs->removeTab(tab);
    m_gridLayout->removeWidget(pane);
    m_onPage.removeOne(pane);
    pane->hide();
    pane->deleteLater(); // detaches the tmux client; the agent runs on
    if (m_current == pane) {
        m_current = nullptr;
        TerminalPane *next
            = m_panes.isEmpty() ? nullptr : m_panes.at(qMin(at, int(m_panes.size()) - 1));
        if (!m_grid && m_tabs->currentWidget())
            next = qobject_cast<TerminalPane *>(m_tabs->currentWidget());
        relayout();
        setCurrentPane(next);
        if (!next)
            Q_EMIT currentAgentChanged({});
    } else {
        relayout();
    }
    Q_EMIT countChanged(int(m_panes.size()));
}

void TerminalArea::closeAgent(const QString &agentId)
{
    closePane(pane(agentId));
}

void TerminalArea::updateAgent(const Agent &agent)
{
    TerminalPane *p = pane(agent.id);
    if (!p)
        return;
    p->setStatus(agent.status);
    if (agent.status == Agent::Status::Lost)
        p->setEnded(tr("%1 is lost: its tmux session or its heartbeat went away.").arg(agent.name));
    else if (agent.status == Agent::Status::Stopped)
        p->setEnded(tr("%1 was stopped.").arg(agent.name));
    updateTab(p);
}

void TerminalArea::retarget(const QString &oldAgentId, const Agent &agent)
{
    TerminalPane *p = pane(oldAgentId);
    if (!p)
        return;
    p->retarget(targetFor(agent));
    p->setStatus(agent.status);
    updateTab(p);
}

void TerminalArea::updateTab(TerminalPane *pane)
{
    const int i = m_tabs->indexOf(pane);
    if (i < 0)
        return;
    m_tabs->setTabIcon(i, statusDot(pane->status()));
    m_tabs->setTabText(i, pane->agentName());
    m_tabs->setTabToolTip(
        i, tr("%1 — %2").arg(pane->agentName(), AgentModel::statusLabel(pane->status())));
}

void TerminalArea::setGrid(bool grid)
{
    if (grid == m_grid) {
        m_gridAction->setChecked(grid);
        return;
    }
    m_grid = grid;
    m_gridAction->setChecked(grid);
    relayout();
    if (m_current) {
        m_current->setCurrent(grid);
        if (!grid)
            m_tabs->setCurrentWidget(m_current);
    }
}

void TerminalArea::relayout()
{
    if (m_panes.isEmpty()) {
        while (QLayoutItem *item = m_gridLayout->takeAt(0))
            delete item;
        m_onPage.clear();
        m_pageCount = 1;
        m_page = 0;
        m_pageBar->hide();
        m_stack->setCurrentWidget(m_placeholder);
        updateActions();
        return;
    }
    if (m_grid) {
        while (m_tabs->count() > 0)
            m_tabs->removeTab(0);
        layoutGrid();
        m_stack->setCurrentWidget(m_gridPage);
    } else {
        while (QLayoutItem *item = m_gridLayout->takeAt(0))
            delete item;
        m_onPage.clear();
        m_pageBar->hide();
        for (TerminalPane *p : std::as_const(m_panes)) {
            if (m_tabs->indexOf(p) < 0) {
                m_tabs->addTab(p, statusDot(p->status()), p->agentName());
                updateTab(p);
            }
            p->setCurrent(false);
        }
        if (m_current)
            m_tabs->setCurrentWidget(m_current);
        m_stack->setCurrentWidget(m_tabs);
        applySuspension();
    }
    updateActions();
}

QSize TerminalArea::minimumPaneSize() const
{
    // What a pane needs for minimumCells() characters: the terminal's margins and scroll bar, the
    // pane's frame and its header.
    const QFontMetrics fm(m_font);
    const QSize cells = minimumCells();
    const int header = qMax(fontMetrics().height(), 22) + 8;
    return {fm.horizontalAdvance(u'M') * cells.width() + 2 * 4
                + style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 10,
            fm.height() * cells.height() + 2 * 4 + header + 6};
}

QSize TerminalArea::fittingCells(int reserveHeight) const
{
    const QSize pane = minimumPaneSize();
    const int spacing = m_gridLayout->spacing();
    const QMargins m = m_gridLayout->contentsMargins();
    const int w = width() - m.left() - m.right();
    const int h = height() - m.top() - m.bottom() - reserveHeight;
    return {qMax(1, (w + spacing) / (pane.width() + spacing)),
            qMax(1, (h + spacing) / (pane.height() + spacing))};
}

QSize TerminalArea::gridShape() const
{
    const QSize fit = fittingCells(0);
    if (m_panes.size() <= fit.width() * fit.height())
        return fit;
    return fittingCells(m_pageBar->sizeHint().height());
}

void TerminalArea::layoutGrid()
{
    while (QLayoutItem *item = m_gridLayout->takeAt(0))
        delete item;
    for (int c = 0; c < m_gridColumns; ++c)
        m_gridLayout->setColumnStretch(c, 0);
    for (int r = 0; r < m_gridRows; ++r)
        m_gridLayout->setRowStretch(r, 0);

    const int n = int(m_panes.size());
    m_cells = gridShape();
    const int c = m_cells.width();
    const int r = m_cells.height();
    struct Place
    {
        TerminalPane *pane;
        int row, col, rowSpan, colSpan;
    };
    QList<Place> places;
    int cols = c;
    int rows = r;
    m_big = false;
    if (n <= c * r) {
        // Everything fits: equal cells, as square as the room allows.
        cols = qMin(c, qMax(int(std::ceil(std::sqrt(double(n)))), (n + r - 1) / r));
        rows = (n + cols - 1) / cols;
        for (int i = 0; i < n; ++i)
            places.append({m_panes.at(i), i / cols, i % cols, 1, 1});
        m_perPage = n;
        m_pageCount = 1;
        m_page = 0;
    } else {
        // Pages. The current pane is larger, on every page, where there is room for it and more.
        const int bigCols = c >= 2 ? 2 : 1;
        const int bigRows = r >= 3 ? 2 : 1;
        m_big = m_current && bigCols * bigRows > 1 && c * r - bigCols * bigRows >= 1;
        QList<TerminalPane *> others = m_panes;
        if (m_big) {
            others.removeOne(m_current);
            places.append({m_current, 0, 0, bigRows, bigCols});
        }
        m_perPage = c * r - (m_big ? bigCols * bigRows : 0);
        m_pageCount = int((others.size() + m_perPage - 1) / m_perPage);
        m_page = std::clamp(m_page, 0, m_pageCount - 1);
        int next = m_page * m_perPage;
        for (int row = 0; row < r; ++row)
            for (int col = 0; col < c; ++col) {
                if (m_big && row < bigRows && col < bigCols)
                    continue;
                if (next < others.size())
                    places.append({others.at(next++), row, col, 1, 1});
            }
    }
    m_onPage.clear();
    for (const Place &p : std::as_const(places)) {
        m_gridLayout->addWidget(p.pane, p.row, p.col, p.rowSpan, p.colSpan);
        m_onPage << p.pane;
    }
    for (TerminalPane *p : std::as_const(m_panes)) {
        if (m_onPage.contains(p))
            continue;
        if (p->parentWidget() != m_gridCellsWidget)
            p->setParent(m_gridCellsWidget); // hidden
        else
            p->hide();
    }
    for (TerminalPane *p : std::as_const(m_onPage))
        p->show();
    m_gridColumns = cols;
    m_gridRows = rows;
    for (int col = 0; col < cols; ++col)
        m_gridLayout->setColumnStretch(col, 1);
    for (int row = 0; row < rows; ++row)
        m_gridLayout->setRowStretch(row, 1);
    updatePageBar();
    applySuspension();
}

void TerminalArea::updatePageBar()
{
    m_pageBar->setVisible(m_grid && m_pageCount > 1);
    m_pageLabel->setText(tr("Page %1 of %2").arg(m_page + 1).arg(m_pageCount));
    m_prevPage->setEnabled(m_page > 0);
    m_nextPage->setEnabled(m_page + 1 < m_pageCount);
}

void TerminalArea::setPage(int page)
{
    page = std::clamp(page, 0, qMax(0, m_pageCount - 1));
    if (page == m_page || !m_grid)
        return;
    m_page = page;
    layoutGrid();
}

QList<TerminalPane *> TerminalArea::shownPanes() const
{
    if (m_panes.isEmpty())
        return {};
    if (m_grid)
        return m_onPage;
    if (auto *p = qobject_cast<TerminalPane *>(m_tabs->currentWidget()))
        return {p};
    return {};
}

void TerminalArea::applySuspension()
{
    // Once the event loop is back: opening 50 terminals (each one current in turn, each one a new
    // layout) attaches only those left on screen at the end, once.
    if (!m_suspensionPending) {
        m_suspensionPending = true;
        QMetaObject::invokeMethod(this, &TerminalArea::updateSuspension, Qt::QueuedConnection);
    }
}

void TerminalArea::updateSuspension()
{
    if (!m_suspensionPending)
        return;
    m_suspensionPending = false;
    const QList<TerminalPane *> shown = shownPanes();
    // Detach first, then attach: never more clients than panes on screen.
    for (TerminalPane *p : std::as_const(m_panes))
        if (!shown.contains(p))
            p->setSuspended(true);
    for (TerminalPane *p : shown)
        p->setSuspended(false);
    updateActions();
}

void TerminalArea::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_grid && !m_panes.isEmpty() && gridShape() != m_cells)
        layoutGrid();
}

void TerminalArea::step(int delta)
{
    if (m_panes.isEmpty())
        return;
    QList<TerminalPane *> order;
    if (m_grid) {
        order = m_panes;
    } else {
        for (int i = 0; i < m_tabs->count(); ++i)
            order << qobject_cast<TerminalPane *>(m_tabs->widget(i));
    }
    const int at = int(order.indexOf(m_current));
    const int n = int(order.size());
    setCurrentPane(order.at(((at < 0 ? 0 : at + delta) % n + n) % n), true);
}

void TerminalArea::updateActions()
{
    const bool any = m_current != nullptr;
    m_closeAction->setEnabled(any);
    m_next->setEnabled(m_panes.size() > 1);
    m_previous->setEnabled(m_panes.size() > 1);
    m_gridAction->setEnabled(!m_panes.isEmpty() || m_grid);
    m_keyboard->setEnabled(any && m_current->terminal());
    m_keyboard->setChecked(any && !m_current->isReadOnly());
    m_copy->setEnabled(any && m_current->terminal());
    m_paste->setEnabled(any && m_current->terminal() && !m_current->isReadOnly());
    m_find->setEnabled(any && m_current->terminal());
    m_zoomIn->setEnabled(true);
    m_zoomOut->setEnabled(true);
}

void TerminalArea::setTerminalFont(const QFont &font)
{
    if (font == m_font)
        return;
    m_font = font;
    for (TerminalPane *p : std::as_const(m_panes))
        p->setTerminalFont(font);
    Q_EMIT terminalFontChanged(font);
}

void TerminalArea::setColorScheme(const QString &scheme)
{
    if (scheme.isEmpty() || !QTermWidget::availableColorSchemes().contains(scheme))
        return;
    m_scheme = scheme;
    for (QAction *a : m_schemes->actions())
        a->setChecked(a->data().toString() == scheme);
    for (TerminalPane *p : std::as_const(m_panes))
        p->setColorScheme(scheme);
    Q_EMIT colorSchemeChanged(scheme);
}

} // namespace Hive
