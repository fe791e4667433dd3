// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QString>

#include <sys/types.h>

namespace Hive::Test {

// A private X server for a GUI test: Xvfb picks a free display itself (-displayfd) and says which
// once it accepts clients. Stopped by the destructor. Call start() before QApplication exists.
class Xvfb
{
public:
    Xvfb() = default;
    ~Xvfb();
    Xvfb(const Xvfb &) = delete;
    Xvfb &operator=(const Xvfb &) = delete;

    bool start(int width = 1600, int height = 1000);
    QString display() const { return m_display; }
    QString error() const { return m_error; }

private:
    pid_t m_pid = 0;
    QString m_display;
    QString m_error;
};

} // namespace Hive::Test
