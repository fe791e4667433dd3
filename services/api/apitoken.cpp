// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apitoken.h"

#include "services/core/logging.h"
#include "services/core/platform.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QRandomGenerator>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

constexpr qsizetype kMinTokenLength = 32; // 128 bits as hex

// RFC 6750's token68 characters: what fits in "Authorization: Bearer …" unquoted.
bool isValidToken(const QByteArray &t)
{
    if (t.size() < kMinTokenLength || t.size() > 1024)
        return false;
    for (char c : t) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
                        || c == '=';
        if (!ok)
            return false;
    }
    return true;
}

// Writes content to path so that it is never readable by anyone but us, not even for an instant:
// a temporary file beside it made by mkstemp() (mode 0600 from its creation, whatever the umask;
// QSaveFile makes its temporary file 0666 & ~umask first, on macOS a named file another user could
// open before its mode is narrowed and read from later), written, flushed, renamed in place.
Result<> writePrivateFile(const QString &path, const QByteArray &content)
{
    QByteArray temp = QFile::encodeName(path) + ".XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0)
        return failure(u"cannot write %1: %2"_s.arg(path, QString::fromLocal8Bit(strerror(errno))));
    const auto fail = [&](const QString &what) -> Result<> {
        const QString why = QString::fromLocal8Bit(strerror(errno));
        ::close(fd);
        ::unlink(temp.constData());
        return failure(u"cannot write %1 (%2): %3"_s.arg(path, what, why));
    };
    if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0)
        return fail(u"chmod 0600"_s);
    for (qsizetype done = 0; done < content.size();) {
        const ssize_t n = ::write(fd, content.constData() + done, size_t(content.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(u"write"_s);
        done += n;
    }
    if (::fsync(fd) != 0)
        return fail(u"fsync"_s);
    if (::close(fd) != 0) {
        ::unlink(temp.constData());
        return failure(u"cannot write %1: %2"_s.arg(path, QString::fromLocal8Bit(strerror(errno))));
    }
    if (::rename(temp.constData(), QFile::encodeName(path).constData()) != 0) {
        const QString why = QString::fromLocal8Bit(strerror(errno));
        ::unlink(temp.constData());
        return failure(u"cannot replace %1: %2"_s.arg(path, why));
    }
    return {};
}

// 256 bits from the operating system's generator, hex-encoded, in a file of mode 0600.
Result<QString> writeNewToken(const QString &dataDir)
{
    if (!QDir().mkpath(dataDir))
        return failure(u"cannot create the data directory %1"_s.arg(dataDir));
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray token
        = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
    if (auto r = writePrivateFile(ApiToken::path(dataDir), token + '\n'); !r)
        return failure(r.error());
    return QString::fromLatin1(token);
}

// A token others could read (group or other bits) is spent: a new one replaces it.
Result<QString> replaceExposedToken(const QString &file, const QString &dataDir)
{
    const unsigned open = Platform::openToOthers(file);
    auto token = writeNewToken(dataDir);
    if (token)
        Logging::get("api")->warn(
            "{} was open to other users (group and other bits {:02o}): replaced with a new token, "
            "the old one no longer works",
            file,
            open);
    return token;
}

} // namespace

ApiToken::ApiToken(const QString &dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(dataDir)
{}

QString ApiToken::path(const QString &dataDir)
{
    return QDir(dataDir).filePath(u"api-token"_s);
}

Result<> ApiToken::load()
{
    auto token = loadOrCreate(m_dataDir);
    if (!token)
        return failure(token.error());
    QMutexLocker lock(&m_mutex);
    m_token = token->toLatin1();
    return {};
}

QByteArray ApiToken::value() const
{
    QMutexLocker lock(&m_mutex);
    return m_token;
}

void ApiToken::watch()
{
    // The directory too: a file replaced by a rename is a new file, which the watcher of the old
    // one does not see.
    m_watcher = new QFileSystemWatcher(this);
    m_watcher->addPath(path(m_dataDir));
    m_watcher->addPath(m_dataDir);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &ApiToken::reload);
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &ApiToken::reload);
}

void ApiToken::stopWatching()
{
    delete m_watcher;
    m_watcher = nullptr;
}

void ApiToken::reload()
{
    const QString file = path(m_dataDir);
    if (m_watcher && QFileInfo::exists(file) && !m_watcher->files().contains(file))
        m_watcher->addPath(file); // a renamed-over file is a new file to watch
    if (QFileInfo::exists(file) && Platform::openToOthers(file)) {
        // Replaced by a file others can read: that token is spent before it counts.
        if (auto fresh = replaceExposedToken(file, m_dataDir)) {
            QMutexLocker lock(&m_mutex);
            m_token = fresh->toLatin1();
        }
        return;
    }
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return; // gone for a moment (being replaced): keep the one we have
    const QByteArray t = f.readAll().trimmed();
    if (t.size() < kMinTokenLength)
        return;
    QMutexLocker lock(&m_mutex);
    if (t != m_token) {
        m_token = t;
        Logging::get("api")->info("the API token was replaced ({})", file);
    }
}

Result<QString> ApiToken::loadOrCreate(const QString &dataDir)
{
    const QString file = path(dataDir);
    QFile f(file);
    if (f.exists() && Platform::openToOthers(file))
        return replaceExposedToken(file, dataDir);
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly))
            return failure(u"cannot read %1: %2"_s.arg(file, f.errorString()));
        const QByteArray token = f.read(4096).trimmed();
        f.close();
        if (!token.isEmpty()) {
            if (!isValidToken(token))
                return failure(
                    u"%1 does not hold a usable token (at least %2 characters of A-Z, a-z, 0-9 and "
                    "-._~+/=); delete it and a new one is made"_s.arg(file)
                        .arg(kMinTokenLength));
            return QString::fromLatin1(token);
        }
        // An empty file (a crash while it was made, or the user emptied it): make a new token.
    }
    return writeNewToken(dataDir);
}

Result<QString> ApiToken::regenerate(const QString &dataDir)
{
    return writeNewToken(dataDir);
}

} // namespace Hive
