// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDialog>
#include <QFont>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFontComboBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;
class QToolButton;

namespace Hive {

// The user's settings: PostgreSQL and Redis (embedded or a URL), API port and token (shown,
// copied, regenerated through a request the app carries out), tmux socket, default profile,
// terminal font and colours, the external terminal, tray behaviour. The app stores them
// (app/settings); the ones read at start-up say that they take effect at the next start.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    struct Values
    {
        QString databaseUrl; // empty: embedded
        QString redisUrl;    // empty: embedded
        int apiPort = 8000;
        QString tmuxSocket = QStringLiteral("agenthive");
        QString defaultProfile;
        QFont terminalFont;
        QString colorScheme;
        QString externalTerminal; // a command prefix; empty: found automatically
        bool closeToTray = true;
        bool notifications = true;

        // Values read only at start-up differ.
        bool needsRestart(const Values &running) const;
        bool operator==(const Values &) const = default;
    };

    SettingsDialog(const Values &values,
                   const QStringList &profiles,
                   const QStringList &colorSchemes,
                   QWidget *parent = nullptr);
    ~SettingsDialog() override;

    Values values() const;
    void setApiUrl(const QString &url);
    void setToken(const QString &token);
    void setTokenError(const QString &message);
    QString token() const;
    bool isValid() const { return m_problem.isEmpty(); }
    QString problem() const { return m_problem; }

    static bool isValidSocketName(const QString &name);

Q_SIGNALS:
    void regenerateTokenRequested();

private:
    void validate();

    Values m_initial;
    QString m_problem;
    QComboBox *m_defaultProfile;
    QCheckBox *m_closeToTray;
    QCheckBox *m_notifications;
    QFontComboBox *m_font;
    QSpinBox *m_fontSize;
    QComboBox *m_scheme;
    QLineEdit *m_externalTerminal;
    QRadioButton *m_dbEmbedded;
    QRadioButton *m_dbExternal;
    QLineEdit *m_dbUrl;
    QRadioButton *m_redisEmbedded;
    QRadioButton *m_redisExternal;
    QLineEdit *m_redisUrl;
    QLineEdit *m_socket;
    QSpinBox *m_port;
    QLabel *m_restartNote;
    QLabel *m_apiUrl;
    QLineEdit *m_token;
    QToolButton *m_showToken;
    QToolButton *m_copyToken;
    QToolButton *m_regenerate;
    QLabel *m_tokenNote;
    QLabel *m_message;
    QDialogButtonBox *m_buttons;
};

} // namespace Hive
