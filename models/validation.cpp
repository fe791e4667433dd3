// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/validation.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Hive::Validation {

namespace {
bool matches(const QRegularExpression &re, const QString &s)
{
    return re.match(s).hasMatch();
}
} // namespace

QString agentTypePattern()
{
    return u"^[a-z0-9][a-z0-9_-]{0,31}$"_s;
}

bool isAgentType(const QString &type)
{
    static const QRegularExpression re(agentTypePattern());
    return matches(re, type);
}

QString agentTypeRule()
{
    return u"lower-case letters, digits, '_' and '-', at most 32, starting with a letter or digit"_s;
}

bool isAgentName(const QString &name)
{
    static const QRegularExpression re(u"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"_s);
    return matches(re, name);
}

QString agentNameRule()
{
    return u"letters, digits, '_' and '-', 1 to 64, starting with a letter or digit"_s;
}

bool isFileName(const QString &name)
{
    static const QRegularExpression re(u"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"_s);
    return matches(re, name);
}

QString fileNameRule()
{
    return u"letters, digits, '_', '.' and '-', 1 to 64, starting with a letter or digit"_s;
}

bool isUuid(const QString &id)
{
    static const QRegularExpression re(
        u"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"_s);
    return matches(re, id);
}

bool isKeyName(const QString &key)
{
    static const QRegularExpression re(
        u"^(Up|Down|Left|Right|Enter|Escape|Tab|BTab|Space|BSpace|Home|End|PageUp|PageDown|[A-Za-z0-9]|C-[a-z])$"_s);
    return matches(re, key);
}

QString keyNameRule()
{
    return u"Up, Down, Left, Right, Enter, Escape, Tab, BTab, Space, BSpace, Home, End, PageUp, "
           u"PageDown, "
           "a letter or digit, or C-<letter>"_s;
}

} // namespace Hive::Validation
