// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/searchhit.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;
class QTimer;
class QToolButton;

namespace Hive {

class SearchHitModel;

// One search field over everything the hive kept: task prompts, answers and the agents'
// terminal logs (full text), or — with "Similar" on — the tasks nearest in meaning. A list of
// hits, each with its snippet and the words found highlighted; activating a hit asks the window
// to show it. The search itself is the app's (searchRequested → setHits). GUI thread.
class SearchPanel : public QWidget
{
    Q_OBJECT

public:
    explicit SearchPanel(QWidget *parent = nullptr);

    QLineEdit *field() const { return m_field; }
    QListView *view() const { return m_view; }
    SearchHitModel *model() const { return m_model; }
    QToolButton *similarButton() const { return m_similar; }

    // Semantic search needs an embeddings endpoint; without one "Similar" is off and says why.
    void setSemanticAvailable(bool available);
    // The answer to the latest searchRequested (older answers must not be handed in).
    void setHits(const QList<SearchHit> &hits);
    void setError(const QString &message);
    QString statusText() const;
    void focusField();

    // The HTML of a snippet with its matches highlighted (escaped, for QTextDocument).
    static QString snippetHtml(const SearchHit &hit, const QColor &highlight);

Q_SIGNALS:
    void searchRequested(const QString &query, bool semantic);
    void hitActivated(const Hive::SearchHit &hit);

private:
    void search();

    QLineEdit *m_field;
    QToolButton *m_similar;
    QLabel *m_status;
    QListView *m_view;
    SearchHitModel *m_model;
    QTimer *m_debounce;
};

} // namespace Hive
