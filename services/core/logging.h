// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QByteArray>
#include <QString>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

template<>
struct fmt::formatter<QString> : fmt::formatter<std::string_view>
{
    auto format(const QString &s, fmt::format_context &ctx) const
    {
        const QByteArray u = s.toUtf8();
        return fmt::formatter<std::string_view>::format(std::string_view(u.constData(), u.size()),
                                                        ctx);
    }
};

template<>
struct fmt::formatter<QByteArray> : fmt::formatter<std::string_view>
{
    auto format(const QByteArray &s, fmt::format_context &ctx) const
    {
        return fmt::formatter<std::string_view>::format(std::string_view(s.constData(), s.size()),
                                                        ctx);
    }
};

// An Error logs as its message.
template<>
struct fmt::formatter<Hive::Error> : fmt::formatter<QString>
{
    auto format(const Hive::Error &e, fmt::format_context &ctx) const
    {
        return fmt::formatter<QString>::format(e.message, ctx);
    }
};

namespace Hive::Logging {

// Console (stderr) and a rotating <logDir>/<fileName>; Qt's messages are routed into logger "qt".
// Safe to call again (tests): later calls replace the sinks.
void setup(const QString &logDir,
           const QString &fileName,
           const QString &level,
           bool console = true);

// One named logger per service ("tmux", "store", …), sharing the sinks made by setup().
std::shared_ptr<spdlog::logger> get(const char *name);

} // namespace Hive::Logging
