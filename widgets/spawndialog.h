// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDialog>
#include <QList>
#include <QSet>
#include <QStringList>

class QButtonGroup;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace Hive {

// Asks what to spawn: agent type, profile (built-in and the user's), name (checked as typed with
// tmux's session-name rule; OK stays disabled while it is wrong), where it works (a folder of its
// own, an existing folder, or a git repository with a worktree per agent), worker or interactive,
// how many (n > 1: NAME-1 … NAME-n), and for profiles that have one (Claude Code) the permission
// mode: ask, auto-accept edits, plan only, or bypass. Knows nothing of services: request() says
// what to do.
class SpawnDialog : public QDialog
{
    Q_OBJECT

public:
    struct ProfileChoice
    {
        QString name;
        QString description;
        bool interactive = false;
        bool builtin = true;
        bool takesPrompt = true; // its command has {prompt}: it can run tasks as a worker
        // Its default permission mode (Profile::permissionMode); empty: it takes none.
        QString permissionMode;
    };

    enum class Workplace { OwnFolder, ExistingFolder, Repository };

    struct Request
    {
        QString type;
        QString name; // empty: the engine picks TYPE-xxxx
        QString profile;
        Workplace workplace = Workplace::OwnFolder;
        QString path; // the folder or the repository
        bool interactive = false;
        // Claude Code's --permission-mode for SpawnRequest::permissionMode; empty: the profile's
        // default for where it works.
        QString permissionMode;
        int count = 1;

        // The names to spawn: NAME-1 … NAME-n for n > 1; empty strings when the engine names them.
        QStringList names() const;
    };

    explicit SpawnDialog(const QList<ProfileChoice> &profiles, QWidget *parent = nullptr);
    ~SpawnDialog() override;

    void setKnownTypes(const QStringList &types);
    void setTakenNames(const QSet<QString> &names); // live agents: their names are taken
    void setDefaultProfile(const QString &profile);
    void setRequest(const Request &request);

    Request request() const;
    bool isValid() const { return m_problem.isEmpty(); }
    QString problem() const { return m_problem; }

    // The same rule as TmuxController::isValidSessionName (letters, digits, '_' and '-', 1-64,
    // starting with a letter or digit) and Orchestrator::isValidAgentType.
    static bool isValidName(const QString &name);
    static bool isValidType(const QString &type);

private:
    void validate();
    void profileChanged();
    void browse();
    void updatePermissionChoice();

    QList<ProfileChoice> m_profiles;
    QSet<QString> m_taken;
    QString m_problem;
    QComboBox *m_type;
    QComboBox *m_profile;
    QLabel *m_profileInfo;
    QLineEdit *m_name;
    QRadioButton *m_worker;
    QRadioButton *m_interactive;
    QRadioButton *m_ownFolder;
    QRadioButton *m_existingFolder;
    QRadioButton *m_repository;
    QButtonGroup *m_workplace;
    QLineEdit *m_path;
    QPushButton *m_browse;
    QSpinBox *m_count;
    QComboBox *m_permission;
    QLabel *m_namesPreview;
    QLabel *m_message;
    QDialogButtonBox *m_buttons;
};

} // namespace Hive
