// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/core/logging.h"

#include <QDir>
#include <QMutex>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <vector>

namespace Hive::Logging {

namespace {
QMutex s_mutex;
std::vector<spdlog::sink_ptr> s_sinks;
spdlog::level::level_enum s_level = spdlog::level::info;

void qtHandler(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    auto log = get("qt");
    const char *cat = ctx.category ? ctx.category : "default";
    switch (type) {
    case QtDebugMsg:
        log->debug("[{}] {}", cat, msg);
        break;
    case QtInfoMsg:
        log->info("[{}] {}", cat, msg);
        break;
    case QtWarningMsg:
        log->warn("[{}] {}", cat, msg);
        break;
    case QtCriticalMsg:
        log->error("[{}] {}", cat, msg);
        break;
    case QtFatalMsg:
        log->critical("[{}] {}", cat, msg);
        log->flush();
        std::abort();
    }
}
} // namespace

void setup(const QString &logDir, const QString &fileName, const QString &level, bool console)
{
    QMutexLocker lock(&s_mutex);
    s_sinks.clear();
    if (console)
        s_sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    if (!logDir.isEmpty() && QDir().mkpath(logDir)) {
        const QString file = QDir(logDir).filePath(fileName);
        try {
            s_sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                file.toStdString(), 5 * 1024 * 1024, 3));
        } catch (const spdlog::spdlog_ex &e) {
            fprintf(stderr, "agenthive: cannot open log file %s: %s\n", qPrintable(file), e.what());
        }
    }
    s_level = spdlog::level::from_str(level.toStdString());
    spdlog::drop_all();
    auto def = std::make_shared<spdlog::logger>("app", s_sinks.begin(), s_sinks.end());
    def->set_level(s_level);
    def->flush_on(spdlog::level::info);
    spdlog::set_default_logger(def);
    spdlog::flush_every(std::chrono::seconds(1));
    qInstallMessageHandler(qtHandler);
}

std::shared_ptr<spdlog::logger> get(const char *name)
{
    if (auto l = spdlog::get(name))
        return l;
    QMutexLocker lock(&s_mutex);
    if (auto l = spdlog::get(name))
        return l;
    auto l = std::make_shared<spdlog::logger>(name, s_sinks.begin(), s_sinks.end());
    l->set_level(s_level);
    l->flush_on(spdlog::level::warn);
    spdlog::register_logger(l);
    return l;
}

} // namespace Hive::Logging
