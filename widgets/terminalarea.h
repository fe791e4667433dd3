// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "widgets/terminalpane.h"

#include <QList>
#include <QWidget>

class QAction;
class QActionGroup;
class QGridLayout;
class QLabel;
class QMenu;
class QStackedWidget;
class QTabWidget;
class QToolButton;

namespace Hive {

// The agents' terminals: one TerminalPane per agent, in tabs or in a grid to watch several at
// once, with the terminal actions (close, next/previous, grid, take the keyboard, zoom, copy,
// paste, search, colour scheme). Closing a terminal only detaches it.
//
// The grid never makes a pane smaller than minimumCells() characters: when the open terminals do
// not fit, it shows them a page at a time (the page bar under the grid), with the current terminal
// larger (two cells wide, two high where there is room) on every page and the others paged beside
// it. Only the terminals one can see are attached: the others (other pages, tabs behind the
// current one) are suspended, without a tmux client, and attach again when they are shown. The grid
// asks for no more room than one pane: it never widens the window. GUI thread.
class TerminalArea : public QWidget
{
    Q_OBJECT

public:
    explicit TerminalArea(QWidget *parent = nullptr);
    ~TerminalArea() override;

    void setTmux(const QString &binary, const QString &socket);
    QString tmuxBinary() const { return m_binary; }
    QString tmuxSocket() const { return m_socket; }

    // Opens (or brings forward) the agent's terminal; read-only unless the user types into it.
    TerminalPane *open(const Agent &agent, bool readOnly, bool focus = true);
    TerminalPane *pane(const QString &agentId) const;
    TerminalPane *paneByName(const QString &agentName) const;
    QList<TerminalPane *> panes() const { return m_panes; }
    TerminalPane *currentPane() const { return m_current; }
    void setCurrentPane(TerminalPane *pane, bool focus = false);
    void closePane(TerminalPane *pane);
    void closeAgent(const QString &agentId);
    // A status change: the tab's badge, or the end of a lost agent's session.
    void updateAgent(const Agent &agent);
    // After a restart the agent has a new id under the same name: reattach its terminal.
    void retarget(const QString &oldAgentId, const Agent &agent);

    bool isGrid() const { return m_grid; }
    void setGrid(bool grid);
    // The grid's pages: how many, which one is shown (0-based), and the cells of a page.
    int pageCount() const { return m_pageCount; }
    int page() const { return m_page; }
    void setPage(int page);
    QSize gridCells() const { return m_cells; }
    // A pane's least size in the grid, in characters (columns x lines).
    static QSize minimumCells() { return {64, 12}; }
    // The panes that are on screen (the grid's page, or the current tab). They attach once the
    // event loop runs (after a burst of opens, only those still shown); the others detach then.
    QList<TerminalPane *> shownPanes() const;

    void setTerminalFont(const QFont &font);
    QFont terminalFont() const { return m_font; }
    void setColorScheme(const QString &scheme);
    QString colorScheme() const { return m_scheme; }

    QAction *closeAction() const { return m_closeAction; }
    QAction *nextAction() const { return m_next; }
    QAction *previousAction() const { return m_previous; }
    QAction *gridAction() const { return m_gridAction; }
    QAction *keyboardAction() const { return m_keyboard; }
    QAction *zoomInAction() const { return m_zoomIn; }
    QAction *zoomOutAction() const { return m_zoomOut; }
    QAction *zoomResetAction() const { return m_zoomReset; }
    QAction *copyAction() const { return m_copy; }
    QAction *pasteAction() const { return m_paste; }
    QAction *findAction() const { return m_find; }
    QMenu *colorSchemeMenu() const { return m_schemeMenu; }
    QList<QAction *> actions() const;

Q_SIGNALS:
    void currentAgentChanged(const QString &agentId);
    void countChanged(int count);
    void terminalFontChanged(const QFont &font);
    void colorSchemeChanged(const QString &scheme);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void relayout();
    void layoutGrid();
    QSize minimumPaneSize() const;
    QSize fittingCells(int reserveHeight) const;
    QSize gridShape() const;
    void updatePageBar();
    void applySuspension(); // soon: updateSuspension()
    void updateSuspension();
    void updateActions();
    void updateTab(TerminalPane *pane);
    TerminalPane::Target targetFor(const Agent &agent) const;
    void step(int delta);

    QString m_binary;
    QString m_socket;
    QFont m_font;
    QString m_scheme;
    bool m_grid = false;
    QList<TerminalPane *> m_panes;
    TerminalPane *m_current = nullptr;
    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    QTabWidget *m_tabs;
    QWidget *m_gridPage;
    QWidget *m_gridCellsWidget;
    QGridLayout *m_gridLayout;
    QWidget *m_pageBar;
    QToolButton *m_prevPage;
    QToolButton *m_nextPage;
    QLabel *m_pageLabel;
    QSize m_cells{1, 1}; // columns x rows of the grid's pages
    int m_page = 0;
    int m_pageCount = 1;
    int m_perPage = 1;
    bool m_suspensionPending = false;
    bool m_big = false; // the current pane is the larger one (pages)
    QList<TerminalPane *> m_onPage;
    int m_gridColumns = 0; // of the layout now (stretches to reset)
    int m_gridRows = 0;
    QAction *m_closeAction;
    QAction *m_next;
    QAction *m_previous;
    QAction *m_gridAction;
    QAction *m_keyboard;
    QAction *m_zoomIn;
    QAction *m_zoomOut;
    QAction *m_zoomReset;
    QAction *m_copy;
    QAction *m_paste;
    QAction *m_find;
    QMenu *m_schemeMenu;
    QActionGroup *m_schemes;
};

} // namespace Hive
