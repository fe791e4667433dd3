// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/settings.h"

#include "services/agents/profiles.h"
#include "services/core/config.h"
#include "widgets/terminalpane.h"

#include <QSettings>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// The saved service settings and how they are given on the command line.
struct Service
{
    QString key;
    QString flag;
    QString envVar;
};

const Service services[] = {
    {u"settings/databaseUrl"_s, u"--database-url"_s, u"HIVE_DATABASE_URL"_s},
    {u"settings/redisUrl"_s, u"--redis-url"_s, u"HIVE_REDIS_URL"_s},
    {u"settings/apiPort"_s, u"--api-port"_s, {}},
    {u"settings/tmuxSocket"_s, u"--tmux-socket"_s, {}},
};

} // namespace

Settings::Settings()
    : m_store(std::make_unique<QSettings>())
{}

Settings::Settings(const QString &fileName)
    : m_store(std::make_unique<QSettings>(fileName, QSettings::IniFormat))
{}

Settings::~Settings() = default;

QStringList Settings::arguments(const QStringList &args, const QProcessEnvironment &env) const
{
    if (args.isEmpty())
        return args;
    QStringList saved;
    for (const Service &s : services) {
        const QString value = m_store->value(s.key).toString();
        if (value.isEmpty())
            continue;
        if (!s.envVar.isEmpty() && env.contains(s.envVar))
            continue;
        bool given = false;
        for (const QString &a : args.mid(1))
            given = given || a == s.flag || a.startsWith(s.flag + u'=');
        if (!given)
            saved << s.flag + u'=' + value;
    }
    return QStringList{args.first()} + saved + args.mid(1);
}

SettingsDialog::Values Settings::values(const Config &running) const
{
    SettingsDialog::Values d;
    d.databaseUrl = running.databaseUrl;
    d.redisUrl = running.redisUrl;
    d.apiPort = running.apiPort;
    d.tmuxSocket = running.tmuxSocket;
    d.defaultProfile = Profiles::defaultName(false);
    d.terminalFont = TerminalPane::defaultFont();
    d.colorScheme = TerminalPane::defaultColorScheme();
    const QSettings &s = *m_store;
    SettingsDialog::Values v;
    v.databaseUrl = s.value(u"settings/databaseUrl"_s, d.databaseUrl).toString();
    v.redisUrl = s.value(u"settings/redisUrl"_s, d.redisUrl).toString();
    v.apiPort = s.value(u"settings/apiPort"_s, d.apiPort).toInt();
    v.tmuxSocket = s.value(u"settings/tmuxSocket"_s, d.tmuxSocket).toString();
    v.defaultProfile = s.value(u"settings/defaultProfile"_s, d.defaultProfile).toString();
    QFont font = d.terminalFont;
    if (s.contains(u"settings/terminalFont"_s))
        font.fromString(s.value(u"settings/terminalFont"_s).toString());
    v.terminalFont = font;
    v.colorScheme = s.value(u"settings/colorScheme"_s, d.colorScheme).toString();
    v.externalTerminal = s.value(u"settings/externalTerminal"_s, d.externalTerminal).toString();
    v.closeToTray = s.value(u"settings/closeToTray"_s, d.closeToTray).toBool();
    v.notifications = s.value(u"settings/notifications"_s, d.notifications).toBool();
    return v;
}

void Settings::setValues(const SettingsDialog::Values &v, const SettingsDialog::Values &shown)
{
    QSettings &s = *m_store;
    if (v.databaseUrl != shown.databaseUrl)
        s.setValue(u"settings/databaseUrl"_s, v.databaseUrl);
    if (v.redisUrl != shown.redisUrl)
        s.setValue(u"settings/redisUrl"_s, v.redisUrl);
    if (v.apiPort != shown.apiPort)
        s.setValue(u"settings/apiPort"_s, v.apiPort);
    if (v.tmuxSocket != shown.tmuxSocket)
        s.setValue(u"settings/tmuxSocket"_s, v.tmuxSocket);
    s.setValue(u"settings/defaultProfile"_s, v.defaultProfile);
    s.setValue(u"settings/terminalFont"_s, v.terminalFont.toString());
    s.setValue(u"settings/colorScheme"_s, v.colorScheme);
    s.setValue(u"settings/externalTerminal"_s, v.externalTerminal);
    s.setValue(u"settings/closeToTray"_s, v.closeToTray);
    s.setValue(u"settings/notifications"_s, v.notifications);
}

void Settings::setTerminalFont(const QFont &font)
{
    m_store->setValue(u"settings/terminalFont"_s, font.toString());
}

void Settings::setColorScheme(const QString &scheme)
{
    m_store->setValue(u"settings/colorScheme"_s, scheme);
}

QByteArray Settings::windowGeometry() const
{
    return m_store->value(u"mainwindow/geometry"_s).toByteArray();
}

QByteArray Settings::windowState() const
{
    return m_store->value(u"mainwindow/state"_s).toByteArray();
}

void Settings::setWindowLayout(const QByteArray &geometry, const QByteArray &state)
{
    m_store->setValue(u"mainwindow/geometry"_s, geometry);
    m_store->setValue(u"mainwindow/state"_s, state);
}

bool Settings::terminalGrid() const
{
    return m_store->value(u"terminals/grid"_s, false).toBool();
}

void Settings::setTerminalGrid(bool grid)
{
    m_store->setValue(u"terminals/grid"_s, grid);
}

AgentPanel::ViewState Settings::agentPanel() const
{
    AgentPanel::ViewState v;
    v.header = m_store->value(u"agents/header"_s).toByteArray();
    v.statusFilter = m_store->value(u"agents/status"_s, 0).toInt();
    return v;
}

void Settings::setAgentPanel(const AgentPanel::ViewState &state)
{
    m_store->setValue(u"agents/header"_s, state.header);
    m_store->setValue(u"agents/status"_s, state.statusFilter);
}

TaskBoard::ViewState Settings::taskBoard() const
{
    TaskBoard::ViewState v;
    v.header = m_store->value(u"tasks/header"_s).toByteArray();
    v.splitter = m_store->value(u"tasks/splitter"_s).toByteArray();
    v.tab = m_store->value(u"tasks/tab"_s, 0).toInt();
    return v;
}

void Settings::setTaskBoard(const TaskBoard::ViewState &state)
{
    m_store->setValue(u"tasks/header"_s, state.header);
    m_store->setValue(u"tasks/splitter"_s, state.splitter);
    m_store->setValue(u"tasks/tab"_s, state.tab);
}

QStringList Settings::dismissedAgents() const
{
    return m_store->value(u"agents/dismissed"_s).toStringList();
}

void Settings::setDismissedAgents(const QStringList &agentIds)
{
    m_store->setValue(u"agents/dismissed"_s, agentIds);
}

bool Settings::closeNoticeShown() const
{
    return m_store->value(u"tray/closeNoticeShown"_s, false).toBool();
}

void Settings::setCloseNoticeShown(bool shown)
{
    m_store->setValue(u"tray/closeNoticeShown"_s, shown);
}

} // namespace Hive
