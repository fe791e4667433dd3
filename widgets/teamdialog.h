// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDialog>
#include <QList>
#include <QStringList>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace Hive {

// Asks which team to start: a template (built-in and the user's, with what it spawns), the git
// repository its agents get worktrees of, and the team's name (its agents' name prefix). Knows
// nothing of services: request() says what to do.
class TeamDialog : public QDialog
{
    Q_OBJECT

public:
    struct TemplateChoice
    {
        QString name;
        QString description;
        QStringList roles; // one line per role: "lead × 1 — interactive, claude-interactive"
        int agents = 0;
        bool builtin = true;
    };

    struct Request
    {
        QString templateName;
        QString repository; // empty: each agent a folder of its own
        QString name;       // empty: the engine picks <template>-xxxx
    };

    explicit TeamDialog(const QList<TemplateChoice> &templates, QWidget *parent = nullptr);

    Request request() const;
    void setRepository(const QString &path);
    void setTeamName(const QString &name);
    // Why OK is disabled (empty when it is enabled): shown under the form.
    QString problem() const;

private:
    void templateChanged();
    void validate();
    void browse();

    QList<TemplateChoice> m_templates;
    QComboBox *m_template;
    QLabel *m_roles;
    QLineEdit *m_repository;
    QPushButton *m_browse;
    QLineEdit *m_name;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace Hive
