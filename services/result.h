// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QString>

#include <expected>

namespace Hive {

// Expected failures are values carrying a message meant for a person (as Qt Creator's Utils::Result).
template<typename T = void>
using Result = std::expected<T, QString>;

inline std::unexpected<QString> failure(const QString &message)
{
    return std::unexpected<QString>(message);
}

} // namespace Hive
