// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/diffview.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

void DiffHighlighter::highlightBlock(const QString &text)
{
    QTextCharFormat f;
    if (text.startsWith(u"diff --git"_s) || text.startsWith(u"index "_s)
        || text.startsWith(u"+++"_s) || text.startsWith(u"---"_s) || text.startsWith(u"new file"_s)
        || text.startsWith(u"deleted file"_s) || text.startsWith(u"rename "_s)
        || text.startsWith(u"similarity"_s)) {
        f.setFontWeight(QFont::Bold);
        f.setForeground(QColor(0x55, 0x6b, 0x8d));
    } else if (text.startsWith(u"@@"_s)) {
        f.setForeground(QColor(0x8a, 0x4f, 0xb8));
    } else if (text.startsWith(u'+')) {
        f.setForeground(QColor(0x1a, 0x7f, 0x37));
        f.setBackground(QColor(0xe6, 0xff, 0xec));
    } else if (text.startsWith(u'-')) {
        f.setForeground(QColor(0xb3, 0x1d, 0x28));
        f.setBackground(QColor(0xff, 0xeb, 0xe9));
    } else {
        return;
    }
    setFormat(0, int(text.size()), f);
}

DiffView::DiffView(QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel(this))
    , m_note(new QLabel(this))
    , m_files(new QListWidget(this))
    , m_text(new QPlainTextEdit(this))
    , m_refresh(new QPushButton(tr("&Refresh"), this))
    , m_merge(new QPushButton(tr("&Merge into Base Branch…"), this))
{
    setObjectName(u"diffView"_s);
    m_files->setObjectName(u"diffFiles"_s);
    m_text->setObjectName(u"diffText"_s);
    m_merge->setObjectName(u"diffMerge"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_note->setWordWrap(true);
    m_note->setVisible(false);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    new DiffHighlighter(m_text->document());

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_files);
    split->addWidget(m_text);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setChildrenCollapsible(false);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_refresh);
    buttons->addWidget(m_merge);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_note);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);

    connect(m_refresh, &QPushButton::clicked, this, &DiffView::refreshRequested);
    connect(m_merge, &QPushButton::clicked, this, &DiffView::mergeRequested);
    connect(m_files, &QListWidget::currentRowChanged, this, &DiffView::showFile);
    m_merge->setEnabled(false);
    m_text->setPlaceholderText(tr("Loading the changes…"));
}

QStringList DiffView::splitPatch(const QString &patch)
{
    QStringList sections;
    qsizetype start = -1;
    qsizetype pos = 0;
    while (pos < patch.size()) {
        if (patch.mid(pos, 11) == u"diff --git "_s) {
            if (start >= 0)
                sections.append(patch.mid(start, pos - start));
            start = pos;
        }
        const qsizetype nl = patch.indexOf(u'\n', pos);
        if (nl < 0)
            break;
        pos = nl + 1;
    }
    if (start >= 0)
        sections.append(patch.mid(start));
    return sections;
}

void DiffView::setDiff(const WorkspaceDiff &diff)
{
    const QString selected = m_files->currentItem()
                                 ? m_files->currentItem()->data(Qt::UserRole).toString()
                                 : QString();
    m_diff = diff;
    m_sections = splitPatch(diff.patch);
    QString summary = diff.branch.isEmpty()
                          ? tr("<b>%1</b> in %2, against %3")
                                .arg(diff.agentName.toHtmlEscaped(),
                                     diff.workdir.toHtmlEscaped(),
                                     diff.baseCommit.left(10))
                          : tr("<b>%1</b> on %2, against %3 (%4)")
                                .arg(diff.agentName.toHtmlEscaped(),
                                     diff.branch.toHtmlEscaped(),
                                     diff.baseBranch.isEmpty() ? tr("its start")
                                                               : diff.baseBranch.toHtmlEscaped(),
                                     diff.baseCommit.left(10));
    summary += u"<br>"_s + tr("%n file(s) changed", nullptr, int(diff.files.size())) + u" · "_s
               + tr("%n commit(s) ahead", nullptr, diff.commitsAhead) + u" · "_s
               + tr("%n unmerged", nullptr, diff.unmergedCommits) + u" · "_s
               + tr("%n uncommitted file(s)", nullptr, diff.uncommittedFiles);
    if (diff.truncated)
        summary += u"<br>"_s + tr("The diff is cut at 2 MiB.");
    m_summary->setText(summary);

    QSignalBlocker block(m_files);
    m_files->clear();
    int added = 0;
    int removed = 0;
    for (const FileChange &f : diff.files) {
        added += qMax(0, f.added);
        removed += qMax(0, f.removed);
    }
    auto *all = new QListWidgetItem(tr("All files  +%1 −%2").arg(added).arg(removed), m_files);
    all->setData(Qt::UserRole, QString());
    for (const FileChange &f : diff.files) {
        const QString counts
            = f.added < 0 ? tr("binary") : u"+%1 −%2"_s.arg(f.added).arg(f.removed);
        auto *item = new QListWidgetItem(u"%1  %2  %3"_s.arg(f.status, f.path, counts), m_files);
        item->setData(Qt::UserRole, f.path);
        item->setToolTip(f.oldPath.isEmpty() ? f.path
                                             : tr("%1, renamed from %2").arg(f.path, f.oldPath));
        if (f.status == u"A"_s)
            item->setForeground(QColor(0x1a, 0x7f, 0x37));
        else if (f.status == u"D"_s)
            item->setForeground(QColor(0xb3, 0x1d, 0x28));
    }
    int row = 0;
    for (int i = 1; i < m_files->count(); ++i)
        if (!selected.isEmpty() && m_files->item(i)->data(Qt::UserRole).toString() == selected)
            row = i;
    m_files->setCurrentRow(row);
    m_text->setPlaceholderText(tr("No changes since %1.").arg(diff.baseCommit.left(10)));
    showFile(row);
    m_merge->setEnabled(!diff.branch.isEmpty() && !diff.baseBranch.isEmpty()
                        && diff.commitsAhead > 0);
    m_merge->setText(diff.baseBranch.isEmpty() ? tr("&Merge into Base Branch…")
                                               : tr("&Merge into %1…").arg(diff.baseBranch));
}

void DiffView::showFile(int row)
{
    if (row <= 0 || row - 1 >= m_sections.size()) {
        m_text->setPlainText(m_diff.patch);
        return;
    }
    // Sections come in the order of the files (both from the same git diff).
    m_text->setPlainText(m_sections.value(row - 1));
}

void DiffView::setError(const QString &message)
{
    m_summary->setText(message.toHtmlEscaped());
    m_files->clear();
    m_sections.clear();
    m_text->clear();
    m_text->setPlaceholderText(message);
    m_merge->setEnabled(false);
}

void DiffView::setNote(const QString &note)
{
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
}

void DiffView::setBusy(bool busy)
{
    m_refresh->setEnabled(!busy);
    if (busy)
        m_merge->setEnabled(false);
}

} // namespace Hive
