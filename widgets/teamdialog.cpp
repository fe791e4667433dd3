// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/teamdialog.h"

#include "models/validation.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

TeamDialog::TeamDialog(const QList<TemplateChoice> &templates, QWidget *parent)
    : QDialog(parent)
    , m_templates(templates)
    , m_template(new QComboBox(this))
    , m_roles(new QLabel(this))
    , m_repository(new QLineEdit(this))
    , m_browse(new QPushButton(tr("&Browse…"), this))
    , m_name(new QLineEdit(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("New Team"));
    setObjectName(u"teamDialog"_s);
    for (const TemplateChoice &t : std::as_const(m_templates))
        m_template->addItem(t.builtin ? t.name : tr("%1 (yours)").arg(t.name), t.name);
    m_template->setObjectName(u"template"_s);
    m_roles->setObjectName(u"roles"_s);
    m_roles->setWordWrap(true);
    m_roles->setTextFormat(Qt::PlainText);
    m_repository->setObjectName(u"repository"_s);
    m_repository->setPlaceholderText(tr("a git repository: each agent works in a worktree of it"));
    m_repository->setClearButtonEnabled(true);
    m_name->setObjectName(u"teamName"_s);
    m_name->setPlaceholderText(tr("default: the template's name and four hex digits"));
    m_name->setMaxLength(48);
    m_problem->setObjectName(u"problem"_s);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(u"color: palette(link);"_s);

    auto *repo = new QHBoxLayout;
    repo->addWidget(m_repository, 1);
    repo->addWidget(m_browse);
    auto *form = new QFormLayout;
    form->addRow(tr("&Template:"), m_template);
    form->addRow(tr("Agents:"), m_roles);
    form->addRow(tr("Repository:"), repo);
    form->addRow(tr("Team &name:"), m_name);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addStretch(1);
    layout->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Start Team"));

    connect(m_template, &QComboBox::currentIndexChanged, this, &TeamDialog::templateChanged);
    connect(m_repository, &QLineEdit::textChanged, this, &TeamDialog::validate);
    connect(m_name, &QLineEdit::textChanged, this, &TeamDialog::validate);
    connect(m_browse, &QPushButton::clicked, this, &TeamDialog::browse);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (problem().isEmpty())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    templateChanged();
    resize(560, sizeHint().height());
}

TeamDialog::Request TeamDialog::request() const
{
    return {m_template->currentData().toString(),
            m_repository->text().trimmed(),
            m_name->text().trimmed()};
}

void TeamDialog::setRepository(const QString &path)
{
    m_repository->setText(path);
}

void TeamDialog::setTeamName(const QString &name)
{
    m_name->setText(name);
}

void TeamDialog::templateChanged()
{
    const int i = m_template->currentIndex();
    if (i < 0 || i >= m_templates.size()) {
        m_roles->setText(tr("No team template found."));
    } else {
        const TemplateChoice &t = m_templates.at(i);
        QStringList lines;
        if (!t.description.isEmpty())
            lines << t.description;
        lines << t.roles;
        lines << tr("%n agent(s) in all", nullptr, t.agents);
        m_roles->setText(lines.join(u'\n'));
    }
    validate();
}

QString TeamDialog::problem() const
{
    if (m_template->currentIndex() < 0)
        return tr("There is no team template.");
    const QString repo = m_repository->text().trimmed();
    if (!repo.isEmpty() && !QDir::isAbsolutePath(repo))
        return tr("The repository must be an absolute path.");
    const QString name = m_name->text().trimmed();
    if (!name.isEmpty() && !Validation::isAgentName(name))
        return tr("The team name: %1.").arg(Validation::agentNameRule());
    return {};
}

void TeamDialog::validate()
{
    const QString why = problem();
    m_problem->setText(why);
    m_problem->setVisible(!why.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

void TeamDialog::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Repository of the Team"), m_repository->text().trimmed());
    if (!dir.isEmpty())
        m_repository->setText(dir);
}

} // namespace Hive
