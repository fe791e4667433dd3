// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QString>

#include <expected>

namespace Hive {

// An expected failure: what kind of failure it is (the API maps kinds to HTTP statuses, the GUI
// to its wording) and a message meant for a person that names what is wrong. `code` refines the
// kind where a client needs more (the API's "wrong_type", "unknown_field", ...).
struct Error
{
    enum class Kind {
        BadRequest,  // malformed input: not JSON, a wrong type, an unknown field or value
        Invalid,     // well formed but refused: an empty prompt, a name tmux cannot take
        NotFound,    // no such agent or task
        Conflict,    // the state does not allow it: retry a running task, a duplicate name
        Unavailable, // PostgreSQL, Redis or tmux cannot be reached
        Internal,    // a bug or an unexpected answer
    };
    Kind kind = Kind::Internal;
    QString message;
    QString code; // empty: the kind's default

    static Error badRequest(const QString &m, const QString &code = {})
    {
        return {Kind::BadRequest, m, code};
    }
    static Error invalid(const QString &m, const QString &code = {})
    {
        return {Kind::Invalid, m, code};
    }
    static Error notFound(const QString &m) { return {Kind::NotFound, m, {}}; }
    static Error conflict(const QString &m) { return {Kind::Conflict, m, {}}; }
    static Error unavailable(const QString &m) { return {Kind::Unavailable, m, {}}; }
    static Error internal(const QString &m) { return {Kind::Internal, m, {}}; }

    // The same failure with what was being done in front: "repository: ...".
    Error prefixed(const QString &what) const { return {kind, what + message, code}; }
};

// The one result type of the code base (as Qt Creator's Utils::Result): a value or an Error.
template<typename T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> failure(Error error)
{
    return std::unexpected<Error>(std::move(error));
}

// A failure of no particular kind (Internal), for code below the point where kinds matter.
inline std::unexpected<Error> failure(const QString &message)
{
    return std::unexpected<Error>(Error::internal(message));
}

} // namespace Hive
