// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QIcon>
#include <QString>

namespace Hive::Icons {

// The icon ":/icons/NAME.svg", drawn with QSvgRenderer at every size asked (no SVG icon plugin
// needed). Line icons use "currentColor", which becomes the palette's text colour (dimmed when
// disabled), so they follow light and dark themes.
QIcon get(const QString &name);

} // namespace Hive::Icons
