<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>Hive::AgentActions</name>
    <message>
        <source>Cannot Spawn %1</source>
        <translation>%1 kann nicht gestartet werden</translation>
    </message>
    <message>
        <source>the Agent</source>
        <translation>der Agent</translation>
    </message>
    <message>
        <source>Spawned %1</source>
        <translation>%1 gestartet</translation>
    </message>
    <message>
        <source>Cannot Kill %1</source>
        <translation>%1 kann nicht beendet werden</translation>
    </message>
    <message>
        <source>Killed %1</source>
        <translation>%1 beendet</translation>
    </message>
    <message>
        <source>Cannot Restart %1</source>
        <translation>%1 kann nicht neu gestartet werden</translation>
    </message>
    <message>
        <source>Restarted %1</source>
        <translation>%1 neu gestartet</translation>
    </message>
    <message>
        <source>Cannot Queue the Task</source>
        <translation>Die Aufgabe kann nicht eingereiht werden</translation>
    </message>
    <message>
        <source>Queued %1</source>
        <translation>%1 eingereiht</translation>
    </message>
    <message>
        <source>Cannot Cancel the Task</source>
        <translation>Die Aufgabe kann nicht abgebrochen werden</translation>
    </message>
    <message>
        <source>Cannot Retry the Task</source>
        <translation>Die Aufgabe kann nicht wiederholt werden</translation>
    </message>
    <message>
        <source>Cannot Open a Terminal</source>
        <translation>Kein Terminal zu öffnen</translation>
    </message>
    <message>
        <source>Opened %1 in an external terminal</source>
        <translation>%1 in einem externen Terminal geöffnet</translation>
    </message>
</context>
<context>
    <name>Hive::AgentModel</name>
    <message>
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>Arbeitet</translation>
    </message>
    <message>
        <source>Waiting for input</source>
        <translation>Wartet auf Eingabe</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>Verloren</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 T %2 h</translation>
    </message>
    <message>
        <source>%1 (%2)
Working directory: %3
tmux session: %4</source>
        <translation>%1 (%2)
Arbeitsverzeichnis: %3
tmux-Sitzung: %4</translation>
    </message>
    <message>
        <source>interactive: you type to it</source>
        <translation>interaktiv: Sie tippen ihm</translation>
    </message>
    <message>
        <source>worker: takes tasks</source>
        <translation>Worker: nimmt Aufgaben</translation>
    </message>
    <message>
        <source>Last heartbeat: %1</source>
        <translation>Letztes Lebenszeichen: %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Profil</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Current task</source>
        <translation>Aktuelle Aufgabe</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>%1 is waiting for you: %2</source>
        <translation>%1 wartet auf Sie: %2</translation>
    </message>
    <message>
        <source>Waiting for: %1</source>
        <translation>Wartet auf: %1</translation>
    </message>
</context>
<context>
    <name>Hive::AgentPanel</name>
    <message>
        <source>Filter agents…</source>
        <translation>Agenten filtern …</translation>
    </message>
    <message>
        <source>Show agents in this state</source>
        <translation>Agenten in diesem Zustand zeigen</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>Alle Zustände</translation>
    </message>
    <message>
        <source>Show agents of this type</source>
        <translation>Agenten dieses Typs zeigen</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>Alle Typen</translation>
    </message>
    <message>
        <source>No agents yet.
Spawn one with %1.</source>
        <translation>Noch keine Agenten.
Starten Sie einen mit %1.</translation>
    </message>
    <message>
        <source>&amp;Spawn Agent…</source>
        <translation>Agent &amp;starten …</translation>
    </message>
    <message>
        <source>Start new agents in their own tmux sessions</source>
        <translation>Neue Agenten in eigenen tmux-Sitzungen starten</translation>
    </message>
    <message>
        <source>&amp;Kill Agent…</source>
        <translation>Agent &amp;beenden …</translation>
    </message>
    <message>
        <source>Close the selected agents&apos; tmux sessions; their running tasks go back to the queue</source>
        <translation>Die tmux-Sitzungen der gewählten Agenten schließen; ihre laufenden Aufgaben kommen zurück in die Warteschlange</translation>
    </message>
    <message>
        <source>&amp;Restart Agent</source>
        <translation>Agent &amp;neu starten</translation>
    </message>
    <message>
        <source>Kill the selected agents and spawn them again with the same name, type, profile and working directory</source>
        <translation>Die gewählten Agenten beenden und mit gleichem Namen, Typ, Profil und Arbeitsverzeichnis neu starten</translation>
    </message>
    <message>
        <source>&amp;Open Terminal</source>
        <translation>Terminal ö&amp;ffnen</translation>
    </message>
    <message>
        <source>Watch the selected agents in embedded terminals (Enter)</source>
        <translation>Die gewählten Agenten in eingebetteten Terminals ansehen (Eingabetaste)</translation>
    </message>
    <message>
        <source>Attach in E&amp;xternal Terminal</source>
        <translation>In e&amp;xternem Terminal öffnen</translation>
    </message>
    <message>
        <source>Open the agent&apos;s tmux session in your terminal emulator</source>
        <translation>Die tmux-Sitzung des Agenten in Ihrem Terminalprogramm öffnen</translation>
    </message>
    <message>
        <source>Filter Agents</source>
        <translation>Agenten filtern</translation>
    </message>
    <message>
        <source>&amp;Remove Lost Agent…</source>
        <translation>Verlorenen Agenten &amp;entfernen …</translation>
    </message>
    <message>
        <source>Remove the lost agent %1 from the list?</source>
        <translation>Den verlorenen Agenten %1 aus der Liste entfernen?</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n lost agents from the list?</source>
        <translation>
            <numerusform>Den verlorenen Agenten aus der Liste entfernen?</numerusform>
            <numerusform>%n verlorene Agenten aus der Liste entfernen?</numerusform>
        </translation>
    </message>
    <message>
        <source>Kill agent %1?</source>
        <translation>Agent %1 beenden?</translation>
    </message>
    <message numerus="yes">
        <source>Kill %n agents?</source>
        <translation>
            <numerusform>%n Agenten beenden?</numerusform>
            <numerusform>%n Agenten beenden?</numerusform>
        </translation>
    </message>
    <message>
        <source>The tmux session is closed and the agent stops. Its working directory stays.</source>
        <translation>Die tmux-Sitzung wird geschlossen und der Agent hält an. Sein Arbeitsverzeichnis bleibt erhalten.</translation>
    </message>
    <message numerus="yes">
        <source>Its running task goes back to the queue, for another agent of the same type.</source>
        <translation>
            <numerusform>Seine laufende Aufgabe kommt zurück in die Warteschlange, für einen anderen Agenten desselben Typs.</numerusform>
            <numerusform>Ihre laufenden Aufgaben kommen zurück in die Warteschlange, für andere Agenten desselben Typs.</numerusform>
        </translation>
    </message>
    <message>
        <source>A task it is running goes back to the queue.</source>
        <translation>Eine Aufgabe, die er gerade ausführt, kommt zurück in die Warteschlange.</translation>
    </message>
    <message>
        <source>Kill Agent</source>
        <translation>Agent beenden</translation>
    </message>
    <message>
        <source>&amp;Kill</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Restart Agent</source>
        <translation>Agent neu starten</translation>
    </message>
    <message>
        <source>Restart agent %1?</source>
        <translation>Agent %1 neu starten?</translation>
    </message>
    <message numerus="yes">
        <source>Restart %n agents?</source>
        <translation>
            <numerusform>%n Agenten neu starten?</numerusform>
            <numerusform>%n Agenten neu starten?</numerusform>
        </translation>
    </message>
    <message>
        <source>It is working on a task: the task goes back to the queue.</source>
        <translation>Er arbeitet an einer Aufgabe: Die Aufgabe kommt zurück in die Warteschlange.</translation>
    </message>
    <message>
        <source>&amp;Restart</source>
        <translation>&amp;Neu starten</translation>
    </message>
</context>
<context>
    <name>Hive::Application</name>
    <message>
        <source>the API could not start: %1</source>
        <translation>die API konnte nicht starten: %1</translation>
    </message>
</context>
<context>
    <name>Hive::ExternalTerminal</name>
    <message>
        <source>No terminal emulator was found. Set one in Settings → Terminal → External terminal.</source>
        <translation>Kein Terminalprogramm gefunden. Legen Sie eines fest unter Einstellungen → Terminal → Externes Terminal.</translation>
    </message>
    <message>
        <source>%1 could not be started.</source>
        <translation>%1 konnte nicht gestartet werden.</translation>
    </message>
</context>
<context>
    <name>Hive::HealthIndicator</name>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>in Ordnung</translation>
    </message>
    <message>
        <source>unreachable</source>
        <translation>nicht erreichbar</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1: %2 — %3</source>
        <translation>%1: %2 – %3</translation>
    </message>
</context>
<context>
    <name>Hive::MainWindow</name>
    <message>
        <source>Agents</source>
        <translation>Agenten</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>Aufgaben</translation>
    </message>
    <message>
        <source>Agent Hive</source>
        <translation>Agent Hive</translation>
    </message>
    <message>
        <source>Starting PostgreSQL, Redis and tmux…</source>
        <translation>PostgreSQL, Redis und tmux werden gestartet …</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Hide Window</source>
        <translation>Fenster &amp;ausblenden</translation>
    </message>
    <message>
        <source>&amp;Agents</source>
        <translation>A&amp;genten</translation>
    </message>
    <message>
        <source>&amp;Terminal</source>
        <translation>&amp;Terminal</translation>
    </message>
    <message>
        <source>Ta&amp;sks</source>
        <translation>A&amp;ufgaben</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Go to &amp;Agents</source>
        <translation>Zu den &amp;Agenten</translation>
    </message>
    <message>
        <source>Go to &amp;Terminal</source>
        <translation>Zum &amp;Terminal</translation>
    </message>
    <message>
        <source>Go to Ta&amp;sks</source>
        <translation>Zu den A&amp;ufgaben</translation>
    </message>
    <message>
        <source>Show A&amp;gent List</source>
        <translation>A&amp;gentenliste zeigen</translation>
    </message>
    <message>
        <source>Show Task &amp;Board</source>
        <translation>Aufgaben&amp;tafel zeigen</translation>
    </message>
    <message>
        <source>Show T&amp;oolbar</source>
        <translation>&amp;Werkzeugleiste zeigen</translation>
    </message>
    <message>
        <source>&amp;Full Screen</source>
        <translation>&amp;Vollbild</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <source>&amp;About Agent Hive</source>
        <translation>&amp;Über Agent Hive</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Loading agents and tasks…</source>
        <translation>Agenten und Aufgaben werden geladen …</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message numerus="yes">
        <source>Agent Hive (%n waiting for input)</source>
        <translation>
            <numerusform>Agent Hive (%n wartet auf Eingabe)</numerusform>
            <numerusform>Agent Hive (%n warten auf Eingabe)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message numerus="yes">
        <source>Spawning %n agent(s)…</source>
        <translation>
            <numerusform>%n Agent wird gestartet …</numerusform>
            <numerusform>%n Agenten werden gestartet …</numerusform>
        </translation>
    </message>
    <message>
        <source>Saved. The service settings take effect when Agent Hive starts next time.</source>
        <translation>Gespeichert. Die Dienst-Einstellungen gelten ab dem nächsten Start von Agent Hive.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>About Agent Hive</source>
        <translation>Über Agent Hive</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Agent Hive %1&lt;/h3&gt;&lt;p&gt;A native control center for fleets of CLI coding agents in tmux.&lt;/p&gt;&lt;p&gt;Data directory: %2&lt;br&gt;tmux socket: %3&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Agent Hive %1&lt;/h3&gt;&lt;p&gt;Eine native Steuerzentrale für Flotten von CLI-Coding-Agenten in tmux.&lt;/p&gt;&lt;p&gt;Datenverzeichnis: %2&lt;br&gt;tmux-Socket: %3&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Agent Hive is still running</source>
        <translation>Agent Hive läuft weiter</translation>
    </message>
    <message>
        <source>It keeps running in the tray with your agents. Quit from the tray menu or with %1.</source>
        <translation>Es läuft mit Ihren Agenten im Systembereich weiter. Beenden Sie es über das Menü dort oder mit %1.</translation>
    </message>
</context>
<context>
    <name>Hive::NewTaskDialog</name>
    <message>
        <source>%1 — %2</source>
        <translation>%1 – %2</translation>
    </message>
    <message>
        <source>New Task</source>
        <translation>Neue Aufgabe</translation>
    </message>
    <message>
        <source>What the agent should do. It gets this text as its prompt.</source>
        <translation>Was der Agent tun soll. Er bekommt diesen Text als Prompt.</translation>
    </message>
    <message>
        <source>optional: the prompt&apos;s first line</source>
        <translation>optional: die erste Zeile des Prompts</translation>
    </message>
    <message>
        <source>Workers of this type take the task.</source>
        <translation>Worker dieses Typs übernehmen die Aufgabe.</translation>
    </message>
    <message>
        <source>Higher runs first.</source>
        <translation>Höhere zuerst.</translation>
    </message>
    <message>
        <source>A failed attempt is retried until this many attempts were made.</source>
        <translation>Ein gescheiterter Versuch wird wiederholt, bis so viele Versuche gemacht wurden.</translation>
    </message>
    <message>
        <source>It starts as soon as an agent is free.</source>
        <translation>Sie beginnt, sobald ein Agent frei ist.</translation>
    </message>
    <message numerus="yes">
        <source>It waits until %n task(s) succeeded.</source>
        <translation>
            <numerusform>Sie wartet, bis %n Aufgabe erfolgreich war.</numerusform>
            <numerusform>Sie wartet, bis %n Aufgaben erfolgreich waren.</numerusform>
        </translation>
    </message>
    <message>
        <source>Search tasks…</source>
        <translation>Aufgaben suchen …</translation>
    </message>
    <message>
        <source>&amp;Queue</source>
        <translation>&amp;Einreihen</translation>
    </message>
    <message>
        <source>&amp;Prompt:</source>
        <translation>&amp;Prompt:</translation>
    </message>
    <message>
        <source>T&amp;itle:</source>
        <translation>T&amp;itel:</translation>
    </message>
    <message>
        <source>Agent &amp;type:</source>
        <translation>Agenten&amp;typ:</translation>
    </message>
    <message>
        <source>&amp;Attempts:</source>
        <translation>&amp;Versuche:</translation>
    </message>
    <message>
        <source>P&amp;riority:</source>
        <translation>P&amp;riorität:</translation>
    </message>
    <message>
        <source>&amp;Waits for:</source>
        <translation>&amp;Wartet auf:</translation>
    </message>
    <message>
        <source>Write the prompt.</source>
        <translation>Schreiben Sie den Prompt.</translation>
    </message>
    <message>
        <source>The agent type may have lower-case letters, digits, &apos;_&apos; and &apos;-&apos; (at most 32).</source>
        <translation>Der Agententyp darf Kleinbuchstaben, Ziffern, &apos;_&apos; und &apos;-&apos; enthalten (höchstens 32).</translation>
    </message>
</context>
<context>
    <name>Hive::Notifier</name>
    <message>
        <source>%1 is waiting for you</source>
        <translation>%1 wartet auf Sie</translation>
    </message>
    <message>
        <source>The agent asks something in its terminal.</source>
        <translation>Der Agent fragt etwas in seinem Terminal.</translation>
    </message>
    <message>
        <source>Task failed: %1</source>
        <translation>Aufgabe fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Its last attempt ended with an error.</source>
        <translation>Ihr letzter Versuch endete mit einem Fehler.</translation>
    </message>
    <message>
        <source>All queued work is done</source>
        <translation>Alle eingereihte Arbeit ist erledigt</translation>
    </message>
    <message numerus="yes">
        <source>%n task(s) finished; nothing is queued or running.</source>
        <translation>
            <numerusform>%n Aufgabe beendet; nichts wartet oder läuft.</numerusform>
            <numerusform>%n Aufgaben beendet; nichts wartet oder läuft.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Hive::SessionController</name>
    <message>
        <source>Cannot Load Agents and Tasks</source>
        <translation>Agenten und Aufgaben können nicht geladen werden</translation>
    </message>
</context>
<context>
    <name>Hive::SettingsDialog</name>
    <message>
        <source>&amp;Closing the window keeps Agent Hive running in the tray</source>
        <translation>Beim S&amp;chließen des Fensters läuft Agent Hive im Systembereich weiter</translation>
    </message>
    <message>
        <source>&amp;Notify when an agent waits for input, a task fails or all work is done</source>
        <translation>&amp;Benachrichtigen, wenn ein Agent auf Eingabe wartet, eine Aufgabe fehlschlägt oder alles erledigt ist</translation>
    </message>
    <message>
        <source>&amp;Embedded: Agent Hive runs its own in the data directory</source>
        <translation>&amp;Eingebettet: Agent Hive betreibt eine eigene im Datenverzeichnis</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>E&amp;mbedded: Agent Hive runs its own in the data directory</source>
        <translation>Ei&amp;ngebettet: Agent Hive betreibt ein eigenes im Datenverzeichnis</translation>
    </message>
    <message>
        <source>U&amp;RL:</source>
        <translation>U&amp;RL:</translation>
    </message>
    <message>
        <source>These take effect when Agent Hive starts next time.</source>
        <translation>Diese gelten ab dem nächsten Start von Agent Hive.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Default &amp;profile:</source>
        <translation>Standard&amp;profil:</translation>
    </message>
    <message>
        <source>&amp;General</source>
        <translation>&amp;Allgemein</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>&amp;Font:</source>
        <translation>&amp;Schrift:</translation>
    </message>
    <message>
        <source>&amp;Colours:</source>
        <translation>&amp;Farben:</translation>
    </message>
    <message>
        <source>automatic (x-terminal-emulator, $TERMINAL, …)</source>
        <translation>automatisch (x-terminal-emulator, $TERMINAL, …)</translation>
    </message>
    <message>
        <source>E&amp;xternal terminal:</source>
        <translation>E&amp;xternes Terminal:</translation>
    </message>
    <message>
        <source>The command that runs a program in a new terminal window, e.g. &quot;konsole -e&quot; or &quot;kitty&quot;; the tmux command is appended.</source>
        <translation>Der Befehl, der ein Programm in einem neuen Terminalfenster startet, z. B. „konsole -e“ oder „kitty“; der tmux-Befehl wird angehängt.</translation>
    </message>
    <message>
        <source>&amp;Terminal</source>
        <translation>&amp;Terminal</translation>
    </message>
    <message>
        <source>PostgreSQL</source>
        <translation>PostgreSQL</translation>
    </message>
    <message>
        <source>Redis</source>
        <translation>Redis</translation>
    </message>
    <message>
        <source>tmux &amp;socket:</source>
        <translation>tmux-&amp;Socket:</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>ein freier Port</translation>
    </message>
    <message>
        <source>API &amp;port:</source>
        <translation>API-&amp;Port:</translation>
    </message>
    <message>
        <source>&amp;Services</source>
        <translation>&amp;Dienste</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <source>Show the token</source>
        <translation>Token zeigen</translation>
    </message>
    <message>
        <source>Copy the token</source>
        <translation>Token kopieren</translation>
    </message>
    <message>
        <source>The token is on the clipboard.</source>
        <translation>Das Token ist in der Zwischenablage.</translation>
    </message>
    <message>
        <source>Re&amp;generate…</source>
        <translation>Neu &amp;erzeugen …</translation>
    </message>
    <message>
        <source>Regenerate the API Token</source>
        <translation>API-Token neu erzeugen</translation>
    </message>
    <message>
        <source>Make a new API token? Scripts and tools that use the current one are refused until they get the new one.</source>
        <translation>Ein neues API-Token erzeugen? Skripte und Werkzeuge mit dem bisherigen werden abgewiesen, bis sie das neue bekommen.</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <source>Every request but /api/v1/health needs the header &quot;Authorization: Bearer TOKEN&quot;.</source>
        <translation>Jede Anfrage außer /api/v1/health braucht den Header „Authorization: Bearer TOKEN“.</translation>
    </message>
    <message>
        <source>&amp;API</source>
        <translation>&amp;API</translation>
    </message>
    <message>
        <source>not listening yet</source>
        <translation>lauscht noch nicht</translation>
    </message>
    <message>
        <source>Kept in the data directory&apos;s api-token file, readable only by you.</source>
        <translation>Liegt in der Datei api-token im Datenverzeichnis, nur für Sie lesbar.</translation>
    </message>
    <message>
        <source>The PostgreSQL URL must start with postgresql://.</source>
        <translation>Die PostgreSQL-URL muss mit postgresql:// beginnen.</translation>
    </message>
    <message>
        <source>The Redis URL must start with redis:// or unix://.</source>
        <translation>Die Redis-URL muss mit redis:// oder unix:// beginnen.</translation>
    </message>
    <message>
        <source>The tmux socket name may have letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos; (at most 64).</source>
        <translation>Der Name des tmux-Sockets darf Buchstaben, Ziffern, &apos;.&apos;, &apos;_&apos; und &apos;-&apos; enthalten (höchstens 64).</translation>
    </message>
    <message>
        <source>Changed: this takes effect when Agent Hive starts next time.</source>
        <translation>Geändert: Das gilt ab dem nächsten Start von Agent Hive.</translation>
    </message>
</context>
<context>
    <name>Hive::ShortcutsDialog</name>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>Kürzel</translation>
    </message>
    <message>
        <source>Open the selected agent&apos;s terminal</source>
        <translation>Terminal des gewählten Agenten öffnen</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Eingabetaste</translation>
    </message>
    <message>
        <source>While a terminal has the keyboard, Ctrl+letter and Alt+letter go to the agent; the shortcuts with Ctrl+Shift, Alt+digit and the function keys stay the app&apos;s.</source>
        <translation>Solange ein Terminal die Tastatur hat, gehen Strg+Buchstabe und Alt+Buchstabe an den Agenten; die Kürzel mit Strg+Umschalt, Alt+Ziffer und die Funktionstasten bleiben bei der Anwendung.</translation>
    </message>
</context>
<context>
    <name>Hive::SpawnDialog</name>
    <message>
        <source>&amp;Worker: takes tasks of its type from the queue</source>
        <translation>&amp;Worker: nimmt Aufgaben seines Typs aus der Warteschlange</translation>
    </message>
    <message>
        <source>&amp;Interactive: you type to it in its terminal</source>
        <translation>&amp;Interaktiv: Sie tippen ihm in seinem Terminal</translation>
    </message>
    <message>
        <source>A new folder of its own in the &amp;workspace</source>
        <translation>Ein eigener neuer Ordner im &amp;Arbeitsbereich</translation>
    </message>
    <message>
        <source>An existing &amp;folder</source>
        <translation>Ein bestehender &amp;Ordner</translation>
    </message>
    <message>
        <source>A git &amp;repository (a worktree per agent, on branch hive/NAME)</source>
        <translation>Ein Git-&amp;Repository (ein Worktree je Agent, auf Branch hive/NAME)</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen …</translation>
    </message>
    <message>
        <source>Spawn Agents</source>
        <translation>Agenten starten</translation>
    </message>
    <message>
        <source>Tasks are queued per type; workers of a type take that type&apos;s tasks.</source>
        <translation>Aufgaben werden je Typ eingereiht; die Worker eines Typs nehmen dessen Aufgaben.</translation>
    </message>
    <message>
        <source>%1 (yours)</source>
        <translation>%1 (eigenes)</translation>
    </message>
    <message>
        <source>automatic, e.g. dev-3f2a</source>
        <translation>automatisch, z. B. dev-3f2a</translation>
    </message>
    <message>
        <source>/path/to/folder</source>
        <translation>/pfad/zum/ordner</translation>
    </message>
    <message>
        <source>More than one: they are named NAME-1, NAME-2, …</source>
        <translation>Mehr als einer: Sie heißen NAME-1, NAME-2, …</translation>
    </message>
    <message>
        <source>&amp;Spawn</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Typ:</translation>
    </message>
    <message>
        <source>&amp;Profile:</source>
        <translation>&amp;Profil:</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;How many:</source>
        <translation>&amp;Wie viele:</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Where it works</source>
        <translation>Wo er arbeitet</translation>
    </message>
    <message>
        <source>Built-in profile.</source>
        <translation>Mitgeliefertes Profil.</translation>
    </message>
    <message>
        <source>Your profile.</source>
        <translation>Ihr Profil.</translation>
    </message>
    <message>
        <source>Git Repository</source>
        <translation>Git-Repository</translation>
    </message>
    <message>
        <source>Working Folder</source>
        <translation>Arbeitsordner</translation>
    </message>
    <message>
        <source>%1 … %2</source>
        <translation>%1 … %2</translation>
    </message>
    <message>
        <source>named automatically</source>
        <translation>automatisch benannt</translation>
    </message>
    <message>
        <source>Give the agents a type, e.g. dev.</source>
        <translation>Geben Sie den Agenten einen Typ, z. B. dev.</translation>
    </message>
    <message>
        <source>The type may have lower-case letters, digits, &apos;_&apos; and &apos;-&apos; (at most 32), starting with a letter or a digit.</source>
        <translation>Der Typ darf Kleinbuchstaben, Ziffern, &apos;_&apos; und &apos;-&apos; enthalten (höchstens 32) und beginnt mit einem Buchstaben oder einer Ziffer.</translation>
    </message>
    <message>
        <source>The name may have letters, digits, &apos;_&apos; and &apos;-&apos; (at most 64), starting with a letter or a digit; no spaces, dots or colons.</source>
        <translation>Der Name darf Buchstaben, Ziffern, &apos;_&apos; und &apos;-&apos; enthalten (höchstens 64) und beginnt mit einem Buchstaben oder einer Ziffer; keine Leerzeichen, Punkte oder Doppelpunkte.</translation>
    </message>
    <message>
        <source>%1 is too long: keep the name shorter so that the numbered names fit in 64 characters.</source>
        <translation>%1 ist zu lang: Wählen Sie einen kürzeren Namen, damit die nummerierten Namen in 64 Zeichen passen.</translation>
    </message>
    <message>
        <source>There is no agent profile to spawn.</source>
        <translation>Es gibt kein Agentenprofil zum Starten.</translation>
    </message>
    <message>
        <source>Profile %1 has no {prompt} in its command, so it cannot run tasks as a worker: spawn it as an interactive agent.</source>
        <translation>Profil %1 hat kein {prompt} in seinem Befehl und kann daher als Worker keine Aufgaben ausführen: Starten Sie es als interaktiven Agenten.</translation>
    </message>
    <message>
        <source>Choose the git repository.</source>
        <translation>Wählen Sie das Git-Repository.</translation>
    </message>
    <message>
        <source>Choose the folder to work in.</source>
        <translation>Wählen Sie den Arbeitsordner.</translation>
    </message>
    <message>
        <source>%1 is not an existing folder.</source>
        <translation>%1 ist kein bestehender Ordner.</translation>
    </message>
    <message>
        <source>%1 is not a git repository (it has no .git).</source>
        <translation>%1 ist kein Git-Repository (es hat kein .git).</translation>
    </message>
    <message>
        <source>An agent named %1 is already running.</source>
        <translation>Ein Agent namens %1 läuft bereits.</translation>
    </message>
</context>
<context>
    <name>Hive::StatusFields</name>
    <message>
        <source>PostgreSQL</source>
        <translation>PostgreSQL</translation>
    </message>
    <message>
        <source>Redis</source>
        <translation>Redis</translation>
    </message>
    <message>
        <source>tmux</source>
        <translation>tmux</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>The REST and WebSocket API; the token is in Settings → API.</source>
        <translation>Die REST- und WebSocket-API; das Token steht unter Einstellungen → API.</translation>
    </message>
    <message>
        <source>%1 · %2 queued · %3 running</source>
        <translation>%1 · %2 wartend · %3 laufend</translation>
    </message>
    <message>
        <source>embedded, in the data directory</source>
        <translation>eingebettet, im Datenverzeichnis</translation>
    </message>
    <message>
        <source>socket %1</source>
        <translation>Socket %1</translation>
    </message>
</context>
<context>
    <name>Hive::TaskBoard</name>
    <message>
        <source>Show tasks for agents of this type</source>
        <translation>Aufgaben für Agenten dieses Typs zeigen</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>Alle Typen</translation>
    </message>
    <message>
        <source>Search tasks…</source>
        <translation>Aufgaben suchen …</translation>
    </message>
    <message>
        <source>No tasks here.
Queue one with %1.</source>
        <translation>Hier sind keine Aufgaben.
Reihen Sie eine mit %1 ein.</translation>
    </message>
    <message>
        <source>&amp;New Task…</source>
        <translation>&amp;Neue Aufgabe …</translation>
    </message>
    <message>
        <source>Queue a prompt for the agents of a type</source>
        <translation>Einen Prompt für die Agenten eines Typs einreihen</translation>
    </message>
    <message>
        <source>&amp;Cancel Task</source>
        <translation>Aufgabe a&amp;bbrechen</translation>
    </message>
    <message>
        <source>Cancel the selected tasks; a running one is stopped</source>
        <translation>Die gewählten Aufgaben abbrechen; eine laufende wird angehalten</translation>
    </message>
    <message>
        <source>Re&amp;try Task</source>
        <translation>Aufgabe &amp;wiederholen</translation>
    </message>
    <message>
        <source>Queue the selected failed or cancelled tasks again</source>
        <translation>Die gewählten fehlgeschlagenen oder abgebrochenen Aufgaben erneut einreihen</translation>
    </message>
    <message>
        <source>Search Tasks</source>
        <translation>Aufgaben suchen</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>Blockiert</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Eingereiht</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Laufend</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Erfolgreich</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
</context>
<context>
    <name>Hive::TaskDetailView</name>
    <message>
        <source>Select a task to see its prompt, result and output.</source>
        <translation>Wählen Sie eine Aufgabe, um Prompt, Ergebnis und Ausgabe zu sehen.</translation>
    </message>
    <message>
        <source>No output yet.</source>
        <translation>Noch keine Ausgabe.</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Id:</source>
        <translation>ID:</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>Typ:</translation>
    </message>
    <message>
        <source>Agent:</source>
        <translation>Agent:</translation>
    </message>
    <message>
        <source>Attempts:</source>
        <translation>Versuche:</translation>
    </message>
    <message>
        <source>Ran:</source>
        <translation>Lief:</translation>
    </message>
    <message>
        <source>Cost:</source>
        <translation>Kosten:</translation>
    </message>
    <message>
        <source>Waits for:</source>
        <translation>Wartet auf:</translation>
    </message>
    <message>
        <source>Error:</source>
        <translation>Fehler:</translation>
    </message>
    <message>
        <source>%1 · priority %2</source>
        <translation>%1 · Priorität %2</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>noch keiner</translation>
    </message>
    <message>
        <source>%1 of %2 · exit code %3</source>
        <translation>%1 von %2 · Exit-Code %3</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>not yet (queued %1)</source>
        <translation>noch nicht (eingereiht %1)</translation>
    </message>
    <message>
        <source>since %1 (%2)</source>
        <translation>seit %1 (%2)</translation>
    </message>
    <message>
        <source>%1 → %2 (%3)</source>
        <translation>%1 → %2 (%3)</translation>
    </message>
    <message>
        <source>Created %1</source>
        <translation>Erstellt %1</translation>
    </message>
    <message>
        <source>not reported</source>
        <translation>nicht gemeldet</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>Hive::TaskModel</name>
    <message>
        <source>Blocked</source>
        <translation>Blockiert</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Eingereiht</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Zugewiesen</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Erfolgreich</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>$%1</source>
        <translation>%1 $</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Aufgabe</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Cost</source>
        <translation>Kosten</translation>
    </message>
</context>
<context>
    <name>Hive::TerminalArea</name>
    <message>
        <source>No terminal is open.

Select an agent and press Enter to watch it live in its tmux session.
%1 takes the keyboard so that you type into it; closing a terminal never stops the agent.</source>
        <translation>Kein Terminal ist offen.

Wählen Sie einen Agenten und drücken Sie die Eingabetaste, um ihn live in seiner tmux-Sitzung zu sehen.
%1 übernimmt die Tastatur, damit Sie ihm tippen; das Schließen eines Terminals hält den Agenten nie an.</translation>
    </message>
    <message>
        <source>&amp;Close Terminal</source>
        <translation>Terminal &amp;schließen</translation>
    </message>
    <message>
        <source>Close the terminal; the agent keeps running</source>
        <translation>Das Terminal schließen; der Agent läuft weiter</translation>
    </message>
    <message>
        <source>&amp;Next Terminal</source>
        <translation>&amp;Nächstes Terminal</translation>
    </message>
    <message>
        <source>&amp;Previous Terminal</source>
        <translation>&amp;Vorheriges Terminal</translation>
    </message>
    <message>
        <source>Watch in a &amp;Grid</source>
        <translation>Im &amp;Raster ansehen</translation>
    </message>
    <message>
        <source>Show every open terminal at once</source>
        <translation>Alle offenen Terminals auf einmal zeigen</translation>
    </message>
    <message>
        <source>Take the &amp;Keyboard</source>
        <translation>&amp;Tastatur übernehmen</translation>
    </message>
    <message>
        <source>Type into the current agent&apos;s session instead of only watching it</source>
        <translation>In die Sitzung des aktuellen Agenten tippen, statt nur zuzusehen</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>Ver&amp;größern</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <source>&amp;Reset Zoom</source>
        <translation>&amp;Originalgröße</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>&amp;Einfügen</translation>
    </message>
    <message>
        <source>Paste into the agent&apos;s session (when you have the keyboard)</source>
        <translation>In die Sitzung des Agenten einfügen (wenn Sie die Tastatur haben)</translation>
    </message>
    <message>
        <source>&amp;Find in Terminal…</source>
        <translation>Im Terminal &amp;suchen …</translation>
    </message>
    <message>
        <source>Colour &amp;Scheme</source>
        <translation>&amp;Farbschema</translation>
    </message>
    <message>
        <source>%1 is lost: its tmux session or its heartbeat went away.</source>
        <translation>%1 ist verloren: Seine tmux-Sitzung oder sein Lebenszeichen ist verschwunden.</translation>
    </message>
    <message>
        <source>%1 was stopped.</source>
        <translation>%1 wurde gestoppt.</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 – %2</translation>
    </message>
</context>
<context>
    <name>Hive::TerminalPane</name>
    <message>
        <source>&amp;Reattach</source>
        <translation>&amp;Wieder verbinden</translation>
    </message>
    <message>
        <source>Close this terminal (the agent keeps running)</source>
        <translation>Dieses Terminal schließen (der Agent läuft weiter)</translation>
    </message>
    <message>
        <source>tmux was not found, so the terminal of %1 cannot be shown.
Install tmux (it is on PATH for the agents too) and reopen this terminal.</source>
        <translation>tmux wurde nicht gefunden, daher kann das Terminal von %1 nicht gezeigt werden.
Installieren Sie tmux (es liegt auch für die Agenten im PATH) und öffnen Sie dieses Terminal erneut.</translation>
    </message>
    <message>
        <source>The terminal client detached from %1&apos;s session.</source>
        <translation>Der Terminal-Client hat sich von der Sitzung von %1 getrennt.</translation>
    </message>
    <message>
        <source>session ended</source>
        <translation>Sitzung beendet</translation>
    </message>
    <message>
        <source>watching (read-only)</source>
        <translation>zusehen (nur lesen)</translation>
    </message>
    <message>
        <source>keyboard goes to the agent</source>
        <translation>Tastatur geht an den Agenten</translation>
    </message>
    <message>
        <source>Take the keyboard: type into the agent&apos;s session (Ctrl+Shift+K)</source>
        <translation>Tastatur übernehmen: in die Sitzung des Agenten tippen (Strg+Umschalt+K)</translation>
    </message>
    <message>
        <source>Give the keyboard back: only watch (Ctrl+Shift+K)</source>
        <translation>Tastatur zurückgeben: nur zusehen (Strg+Umschalt+K)</translation>
    </message>
</context>
<context>
    <name>Hive::TrayIcon</name>
    <message>
        <source>&amp;Show Agent Hive</source>
        <translation>Agent Hive &amp;zeigen</translation>
    </message>
    <message>
        <source>S&amp;pawn Agent…</source>
        <translation>Agent s&amp;tarten …</translation>
    </message>
    <message>
        <source>&amp;Quick Spawn</source>
        <translation>&amp;Schnellstart</translation>
    </message>
    <message>
        <source>A dev agent with this profile, named automatically</source>
        <translation>Ein dev-Agent mit diesem Profil, automatisch benannt</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>&amp;Einstellungen …</translation>
    </message>
    <message>
        <source>&amp;Quit Agent Hive</source>
        <translation>Agent Hive &amp;beenden</translation>
    </message>
    <message>
        <source>&amp;Hide Agent Hive</source>
        <translation>Agent Hive &amp;ausblenden</translation>
    </message>
    <message>
        <source>No agents</source>
        <translation>Keine Agenten</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message numerus="yes">
        <source>%n agent(s): %1</source>
        <translation>
            <numerusform>%n Agent: %1</numerusform>
            <numerusform>%n Agenten: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Agent Hive — %1</source>
        <translation>Agent Hive – %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
</context>
</TS>
