// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/store/database.h"

#include <QByteArray>
#include <QJsonDocument>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

// What the chaos benchmark and the API fuzzer share: a plain HTTP/1.1 client that sends bytes as
// given and judges the answer, the real `agenthive` binary started headless, the hive-runner
// processes of one data directory, and a PostgreSQL connection that reconnects. Everything here
// blocks and is used from the main thread only.
namespace Hive::Bench {

// An answer read off the wire, and whether it was a well-formed HTTP/1.x answer.
struct HttpAnswer
{
    bool connected = false;  // the connection was made
    bool answered = false;   // a status line and a complete head arrived
    bool wellFormed = false; // status line, header lines and body framing all valid
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QString problem; // why it is not answered or not well-formed
    qint64 elapsedMs = 0;

    QByteArray header(QByteArrayView name) const;
    // Empty when the body is not JSON.
    QJsonDocument json() const;
};

// Where a request goes: TCP on 127.0.0.1, or a Unix socket.
class Endpoint
{
public:
    static Endpoint tcp(quint16 port);
    static Endpoint local(const QString &path);

    // One request on a fresh connection: the bytes go out as they are; the answer is read until
    // its framing says it is complete (or the server closes, or timeoutMs passes). halfClose shuts
    // the writing side after sending (a request cut short sees the end of the stream).
    // headRequest: an answer to HEAD has no body whatever Content-Length says.
    HttpAnswer exchange(const QByteArray &raw,
                        int timeoutMs = 10000,
                        bool halfClose = false,
                        bool headRequest = false) const;

    // A well-formed request with Host, Authorization (when token is not empty), Content-Type and
    // Content-Length, and Connection: close.
    HttpAnswer request(const QByteArray &method,
                       const QByteArray &target,
                       const QByteArray &token,
                       const QByteArray &body = {},
                       int timeoutMs = 10000) const;

    bool isTcp() const { return m_port != 0; }
    quint16 port() const { return m_port; }

private:
    quint16 m_port = 0;
    QString m_path;
};

QByteArray rawRequest(const QByteArray &method,
                      const QByteArray &target,
                      const QByteArray &token,
                      const QByteArray &body,
                      const QList<std::pair<QByteArray, QByteArray>> &extraHeaders = {});

// The `agenthive` executable of this build, headless, with its output appended to a file.
class AppProcess
{
public:
    AppProcess(const QStringList &arguments, const QString &home, const QString &outputFile);
    ~AppProcess();

    // Another agenthive binary than this build's (another build's, to compare).
    void setProgram(const QString &path) { m_program = path; }
    void start(); // returns at once; ready() says when it is up
    bool ready(); // "is ready" logged since the last start
    bool waitReady(int timeoutMs, QString *why = nullptr);
    bool running();                // the process has not ended
    void kill();                   // SIGKILL, then reaped
    bool terminate(int timeoutMs); // SIGTERM; false when it had to be killed
    qint64 pid() const;
    QString outputTail(int bytes = 3000) const;
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }

private:
    QStringList m_arguments;
    QString m_program;
    QString m_home;
    QString m_output;
    qint64 m_offset = 0; // where the output of the current start begins
    QProcess m_process;
};

// The pids of the hive-runner processes whose --data-dir is dataDir (read from /proc).
QList<qint64> runnerPids(const QString &dataDir);
// The --agent of a hive-runner process.
QString runnerAgentId(qint64 pid);
bool pidAlive(qint64 pid);

QByteArray readFileTrimmed(const QString &path);

// Core dumps on (up to the hard limit) for this process and what it starts: the app, its tmux
// server and the runners in it. With the kernel's core_pattern "core" a crashed runner leaves
// <its workdir>/core.
void allowCoreDumps();
// The core files under root, each as "path (the command line it names)".
QStringList findCores(const QString &root);
// A worker profile NAME.json in <dataDir>/profiles running `fake-agent {prompt}`.
bool writeFakeProfile(const QString &dataDir, const QString &name);

// A PostgreSQL connection of the benchmark's own that opens (again) when a query finds it broken.
class Pg
{
public:
    explicit Pg(const QString &url, const QString &connectionName);
    // Rows of the query (each a list of values), or nullopt when PostgreSQL is unreachable or the
    // query failed (lastError() says why).
    std::optional<QList<QVariantList>> rows(const QString &sql, const QVariantList &bind = {});
    std::optional<qint64> scalar(const QString &sql, const QVariantList &bind = {});
    QString lastError() const { return m_error; }

private:
    bool ensureOpen();
    QString m_url;
    QString m_name;
    Database m_db;
    bool m_open = false;
    QString m_error;
};

} // namespace Hive::Bench
