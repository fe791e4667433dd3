// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/logchunkdialog.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBlock>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

LogChunkDialog::LogChunkDialog(QWidget *parent)
    : QDialog(parent)
    , m_heading(new QLabel(this))
    , m_text(new QPlainTextEdit(this))
{
    setObjectName(u"logChunkDialog"_s);
    setWindowTitle(tr("Terminal Log"));
    resize(820, 520);
    m_heading->setWordWrap(true);
    m_text->setObjectName(u"logChunkText"_s);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_terminal = buttons->addButton(tr("Open &Terminal"), QDialogButtonBox::ActionRole);
    m_terminal->setEnabled(false);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_terminal, &QPushButton::clicked, this, &LogChunkDialog::openTerminalRequested);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_heading);
    layout->addWidget(m_text, 1);
    layout->addWidget(buttons);
}

void LogChunkDialog::setLoading(const QString &agentName)
{
    setWindowTitle(tr("Terminal Log of %1").arg(agentName));
    m_heading->setText(tr("Loading…"));
    m_text->clear();
}

void LogChunkDialog::setText(const QString &agentName,
                             qint64 byteOffset,
                             const QString &text,
                             const QStringList &words)
{
    setWindowTitle(tr("Terminal Log of %1").arg(agentName));
    m_heading->setText(tr("What %1's terminal showed, from byte %2 of its log:")
                           .arg(agentName, QLocale().toString(byteOffset)));
    m_text->setPlainText(text);
    QList<QTextEdit::ExtraSelection> marks;
    QTextCharFormat mark;
    mark.setBackground(QColor(255, 214, 10, 160));
    mark.setFontWeight(QFont::DemiBold);
    QTextCursor first;
    for (const QString &word : words) {
        if (word.isEmpty())
            continue;
        QTextCursor c(m_text->document());
        while (!(c = m_text->document()->find(word, c)).isNull()) {
            marks.append({c, mark});
            if (first.isNull() || c.position() < first.position())
                first = c;
        }
    }
    m_text->setExtraSelections(marks);
    if (!first.isNull()) {
        QTextCursor at = first;
        at.clearSelection();
        m_text->setTextCursor(at);
        m_text->centerCursor();
    }
}

void LogChunkDialog::setError(const QString &message)
{
    m_heading->setText(message);
}

void LogChunkDialog::setAgentAlive(bool alive)
{
    m_terminal->setEnabled(alive);
}

int LogChunkDialog::highlightCount() const
{
    return int(m_text->extraSelections().size());
}

} // namespace Hive
