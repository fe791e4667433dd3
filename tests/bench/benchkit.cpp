// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/bench/benchkit.h"

#include "tests/fixture/hivefixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocalSocket>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpSocket>
#include <QThread>

#include <csignal>
#include <sys/resource.h>
#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace Hive::Bench {

QByteArray HttpAnswer::header(QByteArrayView name) const
{
    for (const auto &[n, v] : headers)
        if (QByteArrayView(n).compare(name, Qt::CaseInsensitive) == 0)
            return v;
    return {};
}

QJsonDocument HttpAnswer::json() const
{
    QJsonParseError e;
    QJsonDocument d = QJsonDocument::fromJson(body, &e);
    return e.error == QJsonParseError::NoError ? d : QJsonDocument();
}

namespace {

bool isToken(QByteArrayView name)
{
    if (name.isEmpty())
        return false;
    for (char c : name) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

QString shown(QByteArrayView bytes, qsizetype max = 120)
{
    QString out;
    for (char c : bytes.first(qMin(bytes.size(), max))) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f)
            out += QLatin1Char(c);
        else
            out += u"\\x%1"_s.arg(u, 2, 16, QChar(u'0'));
    }
    if (bytes.size() > max)
        out += u"…"_s;
    return out;
}

enum class Parse { Incomplete, Complete };

// Reads one answer from buf (skipping "100 Continue"); closed: the server has closed.
Parse parseAnswer(const QByteArray &buf, bool headRequest, bool closed, HttpAnswer &a)
{
    qsizetype start = 0;
    for (;;) {
        const qsizetype headEnd = buf.indexOf("\r\n\r\n", start);
        if (headEnd < 0) {
            if (!closed)
                return Parse::Incomplete;
            a.problem
                = buf.size() == start
                      ? u"the server closed the connection without an answer"_s
                      : u"the server closed the connection inside the answer's head: %1"_s.arg(
                            shown(QByteArrayView(buf).sliced(start)));
            return Parse::Complete;
        }
        // Each line with its CR LF; the split leaves an empty last part.
        QList<QByteArray> lines = buf.sliced(start, headEnd + 2 - start).split('\n');
        lines.removeLast();
        static const QRegularExpression statusLine(u"^HTTP/1\\.[01] ([1-5][0-9][0-9])( .*)?\r$"_s);
        const auto m = statusLine.match(QString::fromLatin1(lines.first()));
        if (!m.hasMatch()) {
            a.problem = u"bad status line: %1"_s.arg(shown(lines.first()));
            return Parse::Complete;
        }
        a.answered = true;
        a.status = m.captured(1).toInt();
        a.headers.clear();
        bool headOk = true;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            QByteArray line = lines.at(i);
            if (!line.endsWith('\r')) {
                headOk = false;
                a.problem = u"header line without CR: %1"_s.arg(shown(line));
                break;
            }
            line.chop(1);
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0 || !isToken(QByteArrayView(line).first(colon))) {
                headOk = false;
                a.problem = u"bad header line: %1"_s.arg(shown(line));
                break;
            }
            a.headers.append({line.first(colon), line.sliced(colon + 1).trimmed()});
        }
        const qsizetype bodyStart = headEnd + 4;
        if (a.status == 100) { // an interim answer: the real one follows
            start = bodyStart;
            continue;
        }
        if (!headOk)
            return Parse::Complete;
        if (headRequest || a.status < 200 || a.status == 204 || a.status == 304) {
            a.wellFormed = true;
            return Parse::Complete;
        }
        const QByteArray te = a.header("transfer-encoding").toLower();
        const QByteArray cl = a.header("content-length");
        if (te.contains("chunked")) {
            QByteArray body;
            qsizetype pos = bodyStart;
            for (;;) {
                const qsizetype eol = buf.indexOf("\r\n", pos);
                if (eol < 0)
                    break;
                bool ok = false;
                const qint64 size
                    = buf.sliced(pos, eol - pos).split(';').first().toLongLong(&ok, 16);
                if (!ok || size < 0) {
                    a.problem = u"bad chunk size"_s;
                    return Parse::Complete;
                }
                if (size == 0) {
                    a.body = body;
                    a.wellFormed = true;
                    return Parse::Complete;
                }
                if (buf.size() < eol + 2 + size + 2)
                    break;
                body += buf.sliced(eol + 2, size);
                pos = eol + 2 + size + 2;
            }
            if (closed) {
                a.problem = u"the server closed the connection inside a chunked body"_s;
                return Parse::Complete;
            }
            return Parse::Incomplete;
        }
        if (!cl.isEmpty()) {
            bool ok = false;
            const qint64 length = cl.toLongLong(&ok);
            if (!ok || length < 0) {
                a.problem = u"bad Content-Length: %1"_s.arg(shown(cl));
                return Parse::Complete;
            }
            if (buf.size() - bodyStart >= length) {
                a.body = buf.sliced(bodyStart, length);
                a.wellFormed = true;
                return Parse::Complete;
            }
            if (closed) {
                a.body = buf.sliced(bodyStart);
                a.problem = u"the server closed the connection after %1 of %2 body bytes"_s
                                .arg(a.body.size())
                                .arg(length);
                return Parse::Complete;
            }
            return Parse::Incomplete;
        }
        // Neither: the body ends where the connection does.
        if (!closed)
            return Parse::Incomplete;
        a.body = buf.sliced(bodyStart);
        a.wellFormed = true;
        return Parse::Complete;
    }
}

template<typename Socket>
void talk(Socket &socket,
          const QByteArray &raw,
          int timeoutMs,
          bool halfClose,
          bool headRequest,
          const QElapsedTimer &clock,
          HttpAnswer &a)
{
    auto left = [&] {
        return qMax<int>(1, timeoutMs - int(clock.elapsed()));
    };
    socket.write(raw);
    while (socket.bytesToWrite() > 0 && clock.elapsed() < timeoutMs) {
        if (!socket.waitForBytesWritten(left()))
            break; // closed by the server (a refusal mid-upload), or timed out
    }
    if (halfClose)
        ::shutdown(int(socket.socketDescriptor()), SHUT_WR);
    QByteArray buf;
    for (;;) {
        buf += socket.readAll();
        if (parseAnswer(buf, headRequest, false, a) == Parse::Complete)
            return;
        a = HttpAnswer{true};
        if (clock.elapsed() >= timeoutMs) {
            a.problem = u"no complete answer within %1 ms (%2 bytes received)"_s.arg(timeoutMs).arg(
                buf.size());
            return;
        }
        if (!socket.waitForReadyRead(left())) {
            buf += socket.readAll();
            const bool closed = socket.state() != Socket::ConnectedState;
            if (closed) {
                parseAnswer(buf, headRequest, true, a);
                return;
            }
        }
    }
}

} // namespace

Endpoint Endpoint::tcp(quint16 port)
{
    Endpoint e;
    e.m_port = port;
    return e;
}

Endpoint Endpoint::local(const QString &path)
{
    Endpoint e;
    e.m_path = path;
    return e;
}

HttpAnswer
Endpoint::exchange(const QByteArray &raw, int timeoutMs, bool halfClose, bool headRequest) const
{
    HttpAnswer a;
    QElapsedTimer clock;
    clock.start();
    if (m_port != 0) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_port);
        if (!s.waitForConnected(qMin(timeoutMs, 5000))) {
            a.problem = u"cannot connect: %1"_s.arg(s.errorString());
            return a;
        }
        a.connected = true;
        talk(s, raw, timeoutMs, halfClose, headRequest, clock, a);
        s.abort();
    } else {
        QLocalSocket s;
        s.connectToServer(m_path);
        if (!s.waitForConnected(qMin(timeoutMs, 5000))) {
            a.problem = u"cannot connect: %1"_s.arg(s.errorString());
            return a;
        }
        a.connected = true;
        talk(s, raw, timeoutMs, halfClose, headRequest, clock, a);
        s.abort();
    }
    a.connected = true;
    a.elapsedMs = clock.elapsed();
    return a;
}

QByteArray rawRequest(const QByteArray &method,
                      const QByteArray &target,
                      const QByteArray &token,
                      const QByteArray &body,
                      const QList<std::pair<QByteArray, QByteArray>> &extraHeaders)
{
    QByteArray r = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.isEmpty())
        r += "Authorization: Bearer " + token + "\r\n";
    if (!body.isEmpty() || method == "POST")
        r += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
             + "\r\n";
    for (const auto &[n, v] : extraHeaders)
        r += n + ": " + v + "\r\n";
    r += "Connection: close\r\n\r\n";
    return r + body;
}

HttpAnswer Endpoint::request(const QByteArray &method,
                             const QByteArray &target,
                             const QByteArray &token,
                             const QByteArray &body,
                             int timeoutMs) const
{
    return exchange(rawRequest(method, target, token, body), timeoutMs, false, method == "HEAD");
}

AppProcess::AppProcess(const QStringList &arguments, const QString &home, const QString &outputFile)
    : m_arguments(arguments)
    , m_home(home)
    , m_output(outputFile)
{}

AppProcess::~AppProcess()
{
    if (m_process.state() != QProcess::NotRunning)
        terminate(30000);
}

void AppProcess::start()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HOME"_s, m_home);
    env.insert(u"XDG_CONFIG_HOME"_s, m_home + u"/.config"_s);
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    env.remove(u"HIVE_DATA_DIR"_s);
    env.remove(u"HIVE_DATABASE_URL"_s);
    env.remove(u"HIVE_REDIS_URL"_s);
    QDir().mkpath(m_home);
    m_offset = QFileInfo(m_output).size();
    m_process.setProcessEnvironment(env);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setStandardOutputFile(m_output, QIODevice::Append);
    m_process.setStandardInputFile(QProcess::nullDevice());
    m_process.setWorkingDirectory(m_home); // where its core goes, if it crashes
    m_process.start(m_program.isEmpty() ? Test::HiveFixture::binDir() + u"/agenthive"_s : m_program,
                    m_arguments);
    m_process.waitForStarted(10000);
}

bool AppProcess::ready()
{
    QFile f(m_output);
    if (!f.open(QIODevice::ReadOnly) || !f.seek(m_offset))
        return false;
    return f.readAll().contains(" is ready");
}

bool AppProcess::running()
{
    QCoreApplication::processEvents();
    return m_process.state() != QProcess::NotRunning && pidAlive(m_process.processId());
}

bool AppProcess::waitReady(int timeoutMs, QString *why)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        if (ready())
            return true;
        if (!running()) {
            if (why)
                *why
                    = u"agenthive exited (code %1) before it was ready"_s.arg(m_process.exitCode());
            return false;
        }
        QThread::msleep(50);
    }
    if (why)
        *why = u"agenthive was not ready within %1 ms"_s.arg(timeoutMs);
    return false;
}

void AppProcess::kill()
{
    const qint64 p = m_process.processId();
    if (p > 0)
        ::kill(pid_t(p), SIGKILL);
    m_process.waitForFinished(10000);
}

bool AppProcess::terminate(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return true;
    m_process.terminate();
    if (m_process.waitForFinished(timeoutMs))
        return true;
    kill();
    return false;
}

qint64 AppProcess::pid() const
{
    return m_process.processId();
}

QString AppProcess::outputTail(int bytes) const
{
    QFile f(m_output);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray all = f.readAll();
    return QString::fromUtf8(all.right(bytes));
}

QList<qint64> runnerPids(const QString &dataDir)
{
    QList<qint64> out;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 pid = e.toLongLong(&ok);
        if (!ok)
            continue;
        QFile f(u"/proc/%1/cmdline"_s.arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> argv = f.readAll().split('\0');
        if (argv.isEmpty() || !argv.first().endsWith("/hive-runner"))
            continue;
        const qsizetype i = argv.indexOf("--data-dir");
        if (i >= 0 && i + 1 < argv.size() && QString::fromLocal8Bit(argv.at(i + 1)) == dataDir)
            out << pid;
    }
    return out;
}

QString runnerAgentId(qint64 pid)
{
    QFile f(u"/proc/%1/cmdline"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> argv = f.readAll().split('\0');
    const qsizetype i = argv.indexOf("--agent");
    return i >= 0 && i + 1 < argv.size() ? QString::fromLatin1(argv.at(i + 1)) : QString();
}

bool pidAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    QFile f(u"/proc/%1/stat"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray stat = f.readAll();
    const qsizetype close = stat.lastIndexOf(')');
    return close < 0 || stat.size() < close + 3 || stat.at(close + 2) != 'Z';
}

QByteArray readFileTrimmed(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray();
}

void allowCoreDumps()
{
    rlimit r{};
    if (getrlimit(RLIMIT_CORE, &r) == 0) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_CORE, &r);
    }
}

QStringList findCores(const QString &root)
{
    QStringList out;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    static const QRegularExpression name(u"^core(\\.[0-9]+)?$"_s);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!name.match(it.fileName()).hasMatch())
            continue;
        QFile f(path);
        QByteArray head;
        if (f.open(QIODevice::ReadOnly))
            head = f.read(4 * 1024 * 1024);
        if (!head.startsWith("\x7f"
                             "ELF"))
            continue;
        // The command line is in the NT_PRPSINFO note near the start (pr_psargs, 80 bytes).
        QString what = u"unknown process"_s;
        for (const char *exe : {"hive-runner --agent", "agenthive --headless", "tmux"}) {
            const qsizetype at = head.indexOf(exe);
            if (at >= 0) {
                what = QString::fromLatin1(head.mid(at, 80).split('\0').first());
                break;
            }
        }
        out << u"%1 (%2)"_s.arg(path, what);
    }
    return out;
}

bool writeFakeProfile(const QString &dataDir, const QString &name)
{
    QDir().mkpath(dataDir + u"/profiles"_s);
    QFile f(dataDir + u"/profiles/"_s + name + u".json"_s);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    f.write(QJsonDocument(QJsonObject{{u"name"_s, name},
                                      {u"command"_s,
                                       QJsonArray{Test::HiveFixture::fakeAgent(), u"{prompt}"_s}}})
                .toJson());
    return true;
}

Pg::Pg(const QString &url, const QString &connectionName)
    : m_url(url)
    , m_name(connectionName)
{}

bool Pg::ensureOpen()
{
    if (m_open)
        return true;
    auto r = m_db.open(m_url, m_name);
    if (!r) {
        m_error = r.error().message;
        return false;
    }
    m_open = true;
    return true;
}

std::optional<QList<QVariantList>> Pg::rows(const QString &sql, const QVariantList &bind)
{
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!ensureOpen())
            return std::nullopt;
        QSqlQuery q(QSqlDatabase::database(m_name, false));
        q.prepare(sql);
        for (const QVariant &v : bind)
            q.addBindValue(v);
        if (q.exec()) {
            QList<QVariantList> out;
            while (q.next()) {
                QVariantList row;
                for (int i = 0; i < q.record().count(); ++i)
                    row << q.value(i);
                out << row;
            }
            return out;
        }
        m_error = q.lastError().text().trimmed();
        const QString code = q.lastError().nativeErrorCode();
        const bool broken = code.isEmpty() || code.startsWith(u"08"_s) || code.startsWith(u"57P"_s)
                            || q.lastError().type() == QSqlError::ConnectionError;
        if (!broken)
            return std::nullopt;
        q.clear();
        m_db.close();
        m_open = false;
    }
    return std::nullopt;
}

std::optional<qint64> Pg::scalar(const QString &sql, const QVariantList &bind)
{
    auto r = rows(sql, bind);
    if (!r || r->isEmpty() || r->first().isEmpty())
        return std::nullopt;
    return r->first().first().toLongLong();
}

} // namespace Hive::Bench
