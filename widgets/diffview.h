// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/workspacediff.h"

#include <QSyntaxHighlighter>
#include <QWidget>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace Hive {

// Colours a unified diff: file headers, hunk headers, added and removed lines.
class DiffHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

protected:
    void highlightBlock(const QString &text) override;
};

// What an agent changed in its folder against where it started: the files on the left (status,
// lines added and removed), the coloured unified diff on the right (all files, or the one
// selected), a summary above (branch, base, commits ahead, unmerged and uncommitted), Refresh and
// Merge buttons. It only shows a WorkspaceDiff and emits requests; the app fetches and merges.
// GUI thread.
class DiffView : public QWidget
{
    Q_OBJECT

public:
    explicit DiffView(QWidget *parent = nullptr);

    void setDiff(const WorkspaceDiff &diff);
    void setError(const QString &message);
    // A line under the summary: what a merge did, or why it was refused.
    void setNote(const QString &note);
    void setBusy(bool busy);
    const WorkspaceDiff &diff() const { return m_diff; }

    QListWidget *fileList() const { return m_files; }
    QPlainTextEdit *patchView() const { return m_text; }
    QPushButton *mergeButton() const { return m_merge; }
    QLabel *summaryLabel() const { return m_summary; }

    // The sections of a unified diff, one per file ("diff --git" to the next), in order.
    static QStringList splitPatch(const QString &patch);

Q_SIGNALS:
    void refreshRequested();
    void mergeRequested();

private:
    void showFile(int row);

    WorkspaceDiff m_diff;
    QStringList m_sections;
    QLabel *m_summary;
    QLabel *m_note;
    QListWidget *m_files;
    QPlainTextEdit *m_text;
    QPushButton *m_refresh;
    QPushButton *m_merge;
};

} // namespace Hive
