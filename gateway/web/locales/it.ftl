skip-to-content = Vai al contenuto principale
nav-label = Menu principale
nav-home = Home
nav-catalogue = Catalogo
languages-label = Lingua
home-title = Co-produciamo insieme i servizi pubblici
home-lead = Qui pubbliche amministrazioni, organizzazioni e cittadini progettano e gestiscono insieme servizi pubblici, con un catalogo di strumenti e guide che hanno funzionato altrove.
home-catalogue-title = Il catalogo
home-catalogue-text = Trova strumenti, guide e metodi — interlinker — per ogni passo di un processo di co-produzione.
home-catalogue-link = Sfoglia il catalogo
catalogue-title = Catalogo
catalogue-lead = Strumenti, guide e metodi per co-produrre servizi pubblici.
search-label = Cerca nel catalogo
search-button = Cerca
results-count = { $count ->
    [0] Nessun interlinker trovato
    [one] { $shown } interlinker trovato
   *[other] { $shown } interlinker trovati
}
results-hint = Prova con altre parole, o cancella la ricerca per vedere tutto.
next-page = Pagina successiva
nature-software = Software
nature-knowledge = Conoscenza
nature-external-software = Software esterno
nature-external-knowledge = Conoscenza esterna
in-language = in { $language }
not-found-title = Pagina non trovata
not-found-text = A questo indirizzo non c'è nessuna pagina. Controllalo, o ricomincia dalla home.
unavailable-title = Spiacenti, questa pagina ora non è disponibile
unavailable-text = Una parte della piattaforma non ha risposto. Riprova tra qualche minuto.
bad-request-title = Non è stato possibile leggere la richiesta
footer-text = { $site } usa Interlink, software libero per la co-produzione di servizi pubblici.
bad-request-text = Ciò che è stato inviato non è un modulo che questa pagina sa leggere. Torna indietro e riprova.
sign-in = Accedi
sign-out = Esci
signed-in-as = Accesso eseguito come { $name }
account-label = Il tuo account
session-ended = La sessione è terminata. Accedi di nuovo per continuare.
sign-in-title = Accedi
dev-sign-in-lead = Questa è un'installazione di prova: accedi come chiunque scrivendo un identificativo utente. L'installazione di una pubblica amministrazione fa accedere le persone con i propri account.
sign-in-subject = Identificativo utente
sign-in-subject-hint = Fino a 64 lettere, cifre e . _ @ - (la stessa persona di «interlink token --sub»).
sign-in-name = Il tuo nome (facoltativo)
sign-in-name-hint = Come lo vedranno gli altri. Se lo lasci vuoto, si vede il tuo identificativo.
sign-in-admin = Accedi come amministratore della piattaforma
sign-in-button = Accedi
sign-in-subject-missing = Scrivi un identificativo utente
sign-in-subject-invalid = Usa fino a 64 lettere, cifre e . _ @ - nell'identificativo
sign-in-name-invalid = Usa fino a 100 caratteri su una sola riga per il tuo nome
error-summary-title = C'è un problema
error-prefix = Errore
form-refused-title = Non è stato possibile accettare questo modulo
form-refused-text = È arrivato da un altro sito, oppure la sua pagina è rimasta aperta così a lungo che la sessione è terminata. Torna indietro, ricarica la pagina e riprova.
breadcrumb-label = Ti trovi qui
section-description = Che cos'è
section-instructions = Come usarlo
section-constraints = Vincoli e limiti
section-regulations = Norme e standard
facts-languages = Lingue
facts-problem-profiles = Profili di problema
open-external = Aprilo sul suo sito
genesis-title = Modelli
genesis-text = Il documento di partenza, in ogni lingua in cui è scritto:
state-draft = Questo interlinker è una bozza: lo vedono solo i redattori del catalogo.
state-deprecated = Questo interlinker è deprecato: resta per i processi che lo usano, ma non va scelto per quelli nuovi.
rating-summary = { $count ->
    [0] Ancora nessuna valutazione
    [one] Valutato { $average } su 5 da una persona
   *[other] Valutato { $average } su 5 da { $shown } persone
}
rating-stars = { $value ->
    [one] 1 stella su 5
   *[other] { $value } stelle su 5
}
ratings-title = Valutazioni
no-ratings = Nessuno ha ancora valutato questo interlinker.
someone = Qualcuno
rate-heading = Valuta questo interlinker
rate-replaces = Lo hai già valutato: salvando sostituisci la tua valutazione.
rate-value = La tua valutazione
rate-title-label = Titolo (facoltativo)
rate-title-hint = Fino a 200 caratteri, su una sola riga.
rate-text-label = La tua recensione (facoltativa)
rate-text-hint = Fino a 5.000 caratteri: che cosa ha funzionato, e per che cosa.
rate-button = Salva la mia valutazione
rate-sign-in = Accedi per valutare questo interlinker
rate-saved = Grazie: la tua valutazione è salvata.
rate-value-invalid = Scegli da 1 a 5 stelle
rate-title-invalid = Usa fino a 200 caratteri su una sola riga per il titolo
rate-text-invalid = Usa fino a 5.000 caratteri per la recensione
rate-unpublished-title = Si possono valutare solo interlinker pubblicati
rate-unpublished-text = Questo interlinker è una bozza o è deprecato, quindi ora non accetta valutazioni.
sign-in-needed-title = Accedi di nuovo
sign-in-needed-text = La sessione è terminata prima dell'invio del modulo. Accedi, poi invialo di nuovo.
related-title = Interlinker correlati
nav-organizations = Organizzazioni
forbidden-title = Non puoi farlo
forbidden-text = Il tuo account non ha il diritto di farlo qui. Chiedi a un amministratore dell'organizzazione o del gruppo, se è il caso.
conflict-title = Non è stato possibile farlo ora
conflict-text = Contrasta con la situazione attuale: { $reason }
too-many-title = Troppe richieste
too-many-text = La piattaforma è occupata o ha ricevuto troppe richieste da te. Aspetta un minuto, poi riprova.
sign-in-first-text = Accedi prima, poi apri di nuovo questa pagina.
cancel = Annulla
save-changes = Salva le modifiche
changes-saved = Le modifiche sono salvate.
edit-in-language = Stai modificando i testi nella lingua di questa pagina; quelli nelle altre lingue restano come sono.
description-label = Descrizione (facoltativa)
description-hint = Fino a 5.000 caratteri.
description-invalid = Usa fino a 5.000 caratteri per la descrizione
logo-label = Indirizzo del logo (facoltativo)
logo-hint = Un indirizzo che inizia con https://
logo-invalid = Scrivi l'indirizzo del logo come link https://
administrator = amministratore
you = tu
organizations-title = Organizzazioni
organizations-lead = Pubbliche amministrazioni, imprese e associazioni che partecipano, ciascuna con i suoi gruppi.
organizations-none = Non ci sono ancora organizzazioni che puoi vedere.
organization-new = Crea un'organizzazione
organization-sign-in = Accedi per creare un'organizzazione
organization-created = L'organizzazione è creata e tu ne sei l'amministratore.
organization-deleted = L'organizzazione è eliminata.
organization-name = Nome
organization-name-hint = Come lo vedranno le persone, fino a 200 caratteri.
organization-name-invalid = Scrivi un nome di al massimo 200 caratteri
organization-public = Chiunque può vedere questa organizzazione (senza spunta: solo i suoi membri)
default-team-type = I suoi gruppi sono, se non dicono altro
team-creation-policy = Chi può creare i suoi gruppi
team-type-citizen = Cittadini
team-type-public-administration = Pubblica amministrazione
team-type-nonprofit = Organizzazione senza scopo di lucro
team-type-forprofit = Impresa
team-type-unspecified = Non indicato
team-type-invalid = Scegli quali persone riunisce il gruppo
policy-administrators = Solo i suoi amministratori
policy-members = I suoi amministratori e i membri dei suoi gruppi
policy-anyone = Chiunque abbia effettuato l'accesso
policy-invalid = Scegli chi può creare gruppi
organization-create = Crea l'organizzazione
organization-edit = Modifica l'organizzazione
organization-edit-title = Modifica { $name }
organization-delete = Elimina l'organizzazione
organization-delete-title = Eliminare { $name }?
organization-delete-text = { $teams ->
    [0] { $name } sarà eliminata. Non si può annullare.
    [one] { $name } e il suo gruppo saranno eliminati, con i membri del gruppo. Non si può annullare.
   *[other] { $name } e i suoi { $teams } gruppi saranno eliminati, con i loro membri. Non si può annullare.
}
organization-delete-button = Eliminala
facts-visibility = Chi la vede
members-only = Solo i suoi membri
visible-to-all = Tutti
facts-team-type = I suoi gruppi sono
facts-team-creation = Chi crea i gruppi
facts-administrators = Amministratori
teams-title = Gruppi
teams-none = Non ha ancora gruppi.
member-count = { $count ->
    [0] nessun membro
    [one] un membro
   *[other] { $shown } membri
}
team-new = Crea un gruppo
team-name = Nome del gruppo
team-name-invalid = Scrivi un nome del gruppo di al massimo 200 caratteri
team-type-label = I suoi membri sono
team-create = Crea il gruppo
team-created = Il gruppo è creato e tu ne sei l'amministratore.
team-edit = Modifica il gruppo
team-edit-title = Modifica { $name }
team-delete = Elimina il gruppo
team-delete-title = Eliminare { $name }?
team-delete-text = { $members ->
    [one] { $name } e il suo membro saranno eliminati. Non si può annullare.
   *[other] { $name } e i suoi { $members } membri saranno eliminati. Non si può annullare.
}
team-delete-button = Eliminalo
members-title = Membri
member-remove = Rimuovi { $name }
member-removed = Il membro è stato rimosso dal gruppo.
team-leave = Lascia questo gruppo
team-left = Hai lasciato il gruppo.
team-joined = Benvenuto: ora fai parte di questo gruppo.
join-title = Unisciti a questo gruppo
join-sign-in = Accedi per chiedere di unirti a questo gruppo
reason-label = Perché vuoi unirti (facoltativo)
reason-hint = Lo leggono gli amministratori del gruppo. Fino a 2.000 caratteri.
reason-invalid = Usa fino a 2.000 caratteri per il motivo
apply-button = Chiedi di unirti
application-sent = La tua richiesta è stata inviata agli amministratori del gruppo.
application-waiting = La tua richiesta di unirti attende gli amministratori del gruppo.
application-withdraw = Ritira la mia richiesta
application-withdrawn = La tua richiesta è ritirata.
application-decided = La richiesta è decisa.
applications-title = Richieste di unirsi
applications-none = Nessuno ha chiesto di unirsi.
application-accept = Accetta { $name }
application-reject = Rifiuta { $name }
application-pending = in attesa
application-accepted = accettata
application-rejected = rifiutata
application-withdrawn-state = ritirata
invitations-title = Inviti
invite-email = Indirizzo e-mail
invite-email-hint = Chi invitare. Il link lo invii tu.
email-invalid = Scrivi un indirizzo e-mail come nome@esempio.org
invite-administrator = Invita come amministratore del gruppo
invite-button = Crea un link di invito
invitation-state = Stato
invitation-expires = Valido fino al
invitation-pending = in attesa
invitation-accepted = accettato
invitation-revoked-state = ritirato
invitation-expired = scaduto
invitation-revoke = Ritira l'invito di { $email }
invitation-revoked = L'invito è ritirato.
invitation-made-title = Invito creato
invitation-made-text = Invia questo link a { $email }. Chi lo apre e accede si unisce al gruppo.
invitation-link = Link da inviare
invitation-code = Codice di invito
invitation-code-hint = Per chi non riesce ad aprire il link nel browser: incolla questo codice nella pagina dell'invito.
invitation-valid-until = Funziona fino al
invitation-shown-once = Si vede solo ora: copialo prima di lasciare questa pagina.
back-to-team = Torna al gruppo
invitation-title = Accetta un invito
invitation-lead = Sei stato invitato a unirti a un gruppo. Controlla il codice, poi accetta.
invitation-code-paste = Le 43 lettere, cifre, - e _ alla fine del tuo link di invito, dopo #.
invitation-accept = Unisciti al gruppo
invitation-sign-in-first = Sei stato invitato a unirti a un gruppo. Accedi prima, poi apri di nuovo il tuo link di invito.
invitation-code-invalid = Scrivi il codice com'è nel link: 43 lettere, cifre, - e _
invitation-code-unknown = Nessun invito ha questo codice: confrontalo con il link
invitation-code-used = Questo invito non si può più usare: è stato usato, ritirato o è scaduto
account-erased = Il tuo account è cancellato. Grazie per aver partecipato.
profile-title = Il tuo profilo
profile-user-id = Identificativo utente
profile-email = E-mail del tuo accesso
profile-email-none = nessuna
profile-role = Ruolo
profile-platform-admin = Amministratore della piattaforma
profile-name = Il tuo nome
profile-name-hint = Come lo vedono gli altri, fino a 200 caratteri su una riga.
profile-name-invalid = Scrivi un nome di al massimo 200 caratteri su una riga
profile-language = La tua lingua
profile-locale-invalid = Scegli la tua lingua
language-other = Mantieni { $tag }
profile-emails = Altri indirizzi e-mail (facoltativi)
profile-emails-hint = Uno per riga, fino a 10, senza ripetizioni.
profile-emails-invalid = Scrivi fino a 10 indirizzi e-mail diversi, uno per riga, come nome@esempio.org
terms-title = Condizioni d'uso
terms-text = Per partecipare ai processi di co-produzione, accetta le condizioni d'uso di questa piattaforma, come le pubblica l'amministrazione che la gestisce.
terms-accept = Accetto le condizioni d'uso
terms-accepted = Hai accettato le condizioni d'uso.
terms-accepted-on = Hai accettato le condizioni d'uso il
your-data-title = I tuoi dati
your-data-text = Scarica ciò che la piattaforma conserva su di te: il profilo, le organizzazioni che amministri, i tuoi gruppi, le richieste di unirti e gli inviti.
your-data-download = Scarica i miei dati (JSON)
erase-heading = Cancella il tuo account
erase-lead = Il tuo nome e i tuoi indirizzi vengono rimossi per sempre; ciò che hai scritto resta, attribuito a un utente cancellato.
erase-link = Cancella il mio account
erase-title = Cancellare il tuo account?
erase-text = Il tuo nome e i tuoi indirizzi e-mail saranno rimossi, lascerai i tuoi gruppi e uscirai. Ciò che hai scritto resta, attribuito a un utente cancellato. Non si può annullare. Se sei l'ultimo amministratore di un'organizzazione o di un gruppo, nominane prima un altro.
erase-button = Cancella il mio account

# Accesso con OpenID Connect
sign-in-unavailable-title = Al momento non è possibile accedere
sign-in-unavailable-text = Il servizio di accesso non risponde. Riprova tra qualche minuto.
sign-in-expired-title = Questo accesso è scaduto o è già stato usato
sign-in-expired-text = L'accesso ha richiesto troppo tempo, oppure la sua pagina è stata aperta due volte. Ricomincia dal collegamento per accedere.
sign-in-refused-title = Questo accesso è stato rifiutato
sign-in-refused-text = La risposta del servizio di accesso non appartiene all'accesso iniziato da questo browser. Ricomincia dal collegamento per accedere.
sign-in-cancelled-title = Non hai effettuato l'accesso
sign-in-cancelled-text = Il servizio di accesso indica che l'accesso è stato annullato o non consentito. Puoi ricominciare dal collegamento per accedere.
sign-in-failed-title = L'accesso non è riuscito
sign-in-failed-text = Non è stato possibile verificare la risposta del servizio di accesso. Ricomincia dal collegamento per accedere; se continua a non funzionare, avvisa gli amministratori della piattaforma.

# Filtri del catalogo e profili di problema
problem-profiles-link = Oppure parti dal problema che hai.
problem-profiles-title = I problemi e gli interlinker per affrontarli
problem-profiles-lead = Ogni problema che un processo di co-produzione può incontrare, raggruppato per la fase a cui appartiene. Aprine uno per vedere gli interlinker che lo affrontano.
problem-profiles-families = Fasi
filters-title = Filtri
filter-nature = Tipo
filter-rating = Valutazione
filter-language = Disponibile in
filter-profiles = Problemi affrontati
filters-apply = Applica i filtri
filters-clear = Togli i filtri
rating-any = Qualsiasi valutazione
rating-at-least = { $stars ->
    [one] { $stars } stella o più
   *[other] { $stars } stelle o più
}
results-hint-filtered = Prova con meno filtri o con altre parole.
family-organisational = Organizzare il processo
family-understanding = Capire il problema
family-definition = Definire il servizio
family-building = Costruire il servizio
family-validation = Validare il servizio
family-sustainability = Farlo durare
family-hackathon = Hackathon
family-other = Altro

# Schemi di co-produzione
schemas-title = Schemi di co-produzione
schemas-lead = Uno schema è il piano che segue un processo di co-produzione: le sue fasi, gli obiettivi di ogni fase e le attività di ogni obiettivo. I processi partono da uno di questi.
schemas-none = Non è ancora stato pubblicato nessuno schema.
schemas-link = Scopri come si svolge un processo di co-produzione: gli schemi.
schema-version = Versione { $version }
schema-version-published = Versione { $version }, pubblicata il { $date }
schema-counts = { $phases ->
    [one] { $phases } fase
   *[other] { $phases } fasi
}, { $objectives ->
    [one] { $objectives } obiettivo
   *[other] { $objectives } obiettivi
}, { $tasks ->
    [one] { $tasks } attività
   *[other] { $tasks } attività
}
schema-older = Questa è una versione precedente dello schema.
schema-see-latest = Vedi la versione più recente.
schema-version-label = Versione
schema-version-show = Mostra questa versione
schema-phases = Fasi
schema-phase = Fase
schema-objective = Obiettivo
schema-task = Attività
schema-co-delivery = Parte della co-erogazione: in questa fase il servizio viene erogato insieme.
schema-after = Dopo:
schema-problems = Problemi affrontati:

# Processi pubblici e storie
nav-processes = Processi
nav-stories = Storie
processes-title = Processi di co-produzione
processes-lead = Servizi pubblici progettati ed erogati insieme da pubbliche amministrazioni, organizzazioni e cittadini. Chiunque può seguire quelli pubblici.
processes-found = Processi
processes-none = Non c'è ancora nessun processo pubblico.
processes-none-filtered = Nessun processo pubblico corrisponde a questi filtri.
filter-status = Stato
filter-organization = Organizzazione
status-any = Qualsiasi stato
organization-any = Qualsiasi organizzazione
status-awaiting = Non iniziato
status-in-progress = In corso
status-finished = Concluso
progress-done = { $percent } % fatto
period-from-to = Dal { $start } al { $end }
period-from = Dal { $start }
period-until = Fino al { $end }
process-description = Di cosa si tratta
process-aim = Il suo obiettivo
process-idea = L'idea
process-organization = Chi lo gestisce
process-challenges = Sfide
process-requirements = Requisiti
process-plan = Il piano
process-plan-none = Il piano non è ancora stato tracciato.
process-stories = Le sue storie
process-stories-none = Di questo processo non è ancora stata raccontata nessuna storia.
stories-title = Storie di successo
stories-lead = Ciò che i processi di co-produzione hanno ottenuto e imparato, raccontato da chi li ha gestiti.
stories-none = Non è ancora stata pubblicata nessuna storia.
published-on = Pubblicata il { $date }
story-by = Di { $name }
story-process = Dal processo
story-description = La storia
story-results = Risultati
story-lessons = Lezioni apprese
story-period = Quando
story-licences = Licenze
story-keywords = Parole chiave
home-processes-title = Processi in corso
home-processes-link = Tutti i processi pubblici
home-stories-title = Storie
home-stories-link = Tutte le storie
home-highlights-title = Dal catalogo

# Amministratori dell'organizzazione
organization-admin-add = Rendi { $name } amministratore dell'organizzazione
organization-admin-remove = Togli { $name } dagli amministratori
organization-admin-step-down = Smetti di essere amministratore
organization-admin-hint = Per aggiungere un amministratore, apri uno dei team dell'organizzazione e scegli lì un membro. Un'organizzazione mantiene sempre almeno un amministratore.
organization-admin-added = Il nuovo amministratore è stato aggiunto.
organization-admin-removed = L'amministratore è stato tolto.

# Lo spazio di lavoro
nav-workspace = I miei processi
workspace-title = I miei processi
workspace-lead = I processi di co-produzione che gestisci o a cui partecipi con un team.
workspace-processes = Processi
workspace-none = Non gestisci né partecipi ancora a nessun processo. Creane uno, oppure chiedi di entrare in un team che partecipa a uno.
process-new = Nuovo processo
process-create = Crea il processo
process-title-label = Titolo
process-title-hint = Fino a 200 caratteri su una riga.
process-title-invalid = Scrivi un titolo di al massimo 200 caratteri su una riga
process-organization-label = Organizzazione
process-organization-hint = Il processo appartiene a questa organizzazione; devi esserne membro o amministratore.
process-organization-invalid = Scegli un'organizzazione a cui appartieni
process-language-label = Lingua
process-language-hint = La lingua in cui si svolge il processo.
process-language-invalid = Scegli la lingua in cui si svolge il processo
process-description-hint = Di cosa tratta il processo, per chi vi parteciperà.
process-description-invalid = Scrivi una descrizione di al massimo 10.000 caratteri
process-public = Chiunque può seguire questo processo
process-no-organization = Un processo appartiene a un'organizzazione, e non ne vedi ancora nessuna.
process-created = Il processo è stato creato: lo amministri tu.
process-deleted = Il processo è stato eliminato.

workspace-none-filtered = Nessuno dei tuoi processi corrisponde a questi filtri.

# Pianificare e lavorare a un processo
process-planned = Il piano è stato tracciato a partire dallo schema.
task-status-saved = Lo stato dell'attività è stato salvato.
process-plan-choose = Pianificalo a partire da uno schema
process-plan-preview = vedilo
process-plan-build = Traccia il piano
task-status-label = Stato di { $task }
task-status-save = Cambia
task-blocked-title = Questa attività non può ancora iniziare
task-blocked-text = «{ $task }» attende questi, che vengono prima e non sono conclusi:
task-blocked-back = Torna al processo

# Impostazioni di un processo
process-settings = Impostazioni
process-settings-title = Impostazioni di { $name }
process-aim-label = Il suo obiettivo (facoltativo)
process-idea-label = L'idea (facoltativo)
process-text-invalid = Scrivi al massimo 10.000 caratteri
process-more = Esporta ed elimina
process-export = Scarica l'intero processo (JSON)
process-delete = Elimina il processo
process-delete-title = Eliminare { $name }?
process-delete-text = Il suo piano, le risorse, i contributi e le storie vengono eliminati con esso, per tutti. Non si può annullare; scaricalo prima per conservarne una copia.
process-delete-button = Elimina il processo

# Raccontare e valutare le storie
story-new = Racconta la sua storia
story-new-lead = Ciò che il processo ha ottenuto e imparato, per chi ne gestirà uno simile. Può leggerla chiunque possa vedere il processo.
story-title-label = Titolo
story-title-invalid = Scrivi un titolo di al massimo 200 caratteri su una riga
story-words-hint = Separate da virgole.
story-words-invalid = Indicane al massimo 30, ciascuna di al massimo 60 caratteri, separate da virgole
story-publish = Pubblica la storia
story-published = La storia è stata pubblicata.
story-rate = La tua valutazione di questa storia
story-rate-button = Salva la mia valutazione
story-rated = Grazie: la tua valutazione è salvata.

# La guida
process-tabs-label = Parti del processo
process-tab-overview = Panoramica
process-tab-guide = Guida
guide-empty = Il processo non ha ancora un piano: pianificalo da uno schema nella sua panoramica.
guide-phases = Fasi
guide-tree = Obiettivi e attività della fase
item-kind-phase = Fase
item-kind-objective = Obiettivo
item-kind-task = Attività
item-add-phase = Aggiungi una fase
item-add-objective = Aggiungi un obiettivo
item-add-task = Aggiungi un’attività
item-title = Titolo
item-description = Descrizione
item-start = Data di inizio
item-end = Data di fine
item-problems = Problemi che affronta
item-problems-hint = Codici dei profili di problema, separati da virgole.
item-save = Salva
item-edit = Modifica
item-status = Stato
item-prerequisites = Viene dopo
item-prerequisites-edit = Scegli cosa viene prima
item-prerequisites-legend = Questo elemento inizia quando questi sono terminati
item-prerequisites-cycle = Questi girerebbero in tondo, ognuno in attesa del successivo:
item-prerequisites-invalid = Scegli elementi accanto a questo, ciascuno una volta
item-disabled-mark = disattivato
item-is-disabled = Questo elemento è disattivato: è conservato, ma non conta più per l’avanzamento.
item-copy = Copialo con tutto ciò che contiene
item-disable = Disattivalo
item-disable-title = Disattivare { $name }?
item-disable-text = Esso e tutto ciò che contiene smettono di contare per l’avanzamento e non accettano altre modifiche. Sono conservati, con chi li ha disattivati e quando.
item-title-invalid = Scrivi un titolo di massimo 200 caratteri
item-date-invalid = Indica una data reale (anno, mese, giorno)
item-end-invalid = La fine non può precedere l’inizio
item-problems-invalid = Indica codici di profili di problema noti (minuscole, cifre e trattini), ciascuno una volta
item-added = L’elemento è stato aggiunto.
item-copied = Questa è la copia.
item-disabled = L’elemento è stato disattivato.
item-resources = Risorse
item-resources-none = Ancora nessuna risorsa.
asset-added-by = Aggiunta da { $name }
asset-recommended = Consigliati per i problemi di questa attività
asset-use = Usa { $name }
asset-from-catalogue = Dal catalogo
asset-search-label = Cerca una risorsa nel catalogo
asset-search-none = Nulla nel catalogo corrisponde.
asset-link = Aggiungi un link a una risorsa esterna
asset-link-name = Nome
asset-link-uri = Indirizzo
asset-link-uri-hint = Che inizia con https://
asset-link-add = Aggiungi il link
asset-link-name-invalid = Scrivi un nome di massimo 200 caratteri
asset-link-uri-invalid = Indica un indirizzo che inizi con https:// o http://
asset-added = La risorsa è stata aggiunta.
asset-delete = Elimina { $name }
asset-delete-text = La risorsa lascia l’attività per tutti. Non si può annullare.
asset-delete-button = Elimina la risorsa
asset-deleted = La risorsa è stata eliminata.
asset-preparing = In preparazione sul suo interlinker…
asset-prepare-failed = Non è stato possibile crearlo sul suo interlinker: { $reason }
asset-retry = Riprova a creare { $name }
asset-retried = La risorsa è di nuovo in preparazione.
asset-open = Apri { $name }
item-permissions = Permessi
may-lead = Qui puoi:
may-nothing = Qui puoi solo leggere.
may-administer = amministrare il processo
may-edit-tree = cambiare il piano
may-set-status = cambiare lo stato delle attività
may-access-assets = aprire le sue risorse
may-create-assets = aggiungere risorse
may-delete-assets = eliminare risorse
item-grants = Squadre con diritti qui
grant-access-assets = aprire risorse
grant-create-assets = aggiungere risorse
grant-delete-assets = eliminare risorse
grant-on-process = su tutto il processo
a-team = Una squadra
item-contributions = Contributi
claims-none = Ancora nessun contributo dichiarato.
claim-new = Dichiara un contributo
claim-kind = Tipo di lavoro
claim-kind-management = Gestione
claim-kind-development = Sviluppo
claim-kind-exploitation = Sfruttamento
claim-description = Cosa hai fatto
claim-description-invalid = Scrivi al massimo 2.000 caratteri
claim-make = Dichiaralo
claim-made = La tua dichiarazione è stata inviata a chi amministra il processo.
claim-pending = in attesa di decisione
claim-accepted = accettato
claim-rejected = rifiutato
claim-accept = Accetta
claim-reject = Rifiuta
claim-decided = La decisione è stata salvata.

# La squadra di un processo
process-tab-team = Squadra
process-administrators = Amministratori del processo
process-administrator-remove = Togli { $name } dagli amministratori
process-administrator-candidates = Membri delle squadre che partecipano
process-administrator-add = Rendi { $name } amministratore
grants-title = Squadre e loro diritti
grants-none = Nessuna squadra ha ancora diritti in questo processo.
grant-team = Squadra
grant-item = Dove
grant-rights = Diritti
grant-revoke = Revoca
grant-revoke-team = Revoca i diritti di { $name }
grant-new = Dai diritti a una squadra
grant-no-teams = L’organizzazione non ha ancora squadre.
grant-make = Dai questi diritti
grant-made = La squadra ha i suoi diritti.
grant-revoked = I diritti sono stati revocati.
grant-team-invalid = Scegli una squadra
grant-item-invalid = Scegli il processo o uno dei suoi elementi
grant-rights-invalid = Scegli almeno un diritto

# Il piano di lavoro
process-tab-workplan = Piano di lavoro
workplan-zoom = Scala
workplan-zoom-day = Giorni
workplan-zoom-week = Settimane
workplan-zoom-month = Mesi
workplan-download = Scarica il grafico (SVG)
workplan-lead = Ogni barra va dall’inizio alla fine di un elemento, riempita fin dove è avanzato. Ogni nome porta all’elemento nella guida.
workplan-arrows = Le frecce vanno da ciò che viene prima a ciò che lo attende.
workplan-no-dates = Nessuna attività ha ancora date: dai alle attività le date di inizio e fine nella guida.

# Le risorse di un processo
process-tab-resources = Risorse
filter-any = Qualsiasi
resources-interlinker = Interlinker
resources-nature = Tipo
resources-creator = Aggiunta da
resources-added = Aggiunta il
resources-count = { $count ->
    [one] Una risorsa
   *[other] { $count } risorse
}
resources-none = Il processo non ha ancora risorse: aggiungile alle sue attività nella guida.
resources-none-filtered = Nessuna risorsa corrisponde a questi filtri.
asset-link-nature = Link

# Il monitoraggio di un processo
process-tab-monitoring = Monitoraggio
monitoring-process = Questo processo
monitoring-organization = La sua organizzazione
monitoring-organization-lead = I dati di adozione di tutta l’organizzazione, aggiornati man mano che le cose accadono. Le barre mostrano i cambiamenti di ogni giorno negli ultimi 30 giorni.
monitoring-series = Variazione negli ultimi 30 giorni: { $change }
monitoring-trail = Cosa è successo in questo processo
kpi-process-assets = Risorse
kpi-active-7 = Persone attive, ultimi 7 giorni
kpi-active-30 = Persone attive, ultimi 30 giorni
kpi-processes = Processi
kpi-assets = Risorse
kpi-claims = Contributi dichiarati
kpi-claims-accepted = Contributi accettati
kpi-stories = Storie pubblicate
kpi-teams = Squadre
kpi-participants = Persone nelle squadre
kpi-interlinkers-used = Interlinker usati
kpi-cloned-processes = Processi clonati
kpi-co-delivered-processes = Processi erogati insieme
trail-valid = Il registro è integro: { $entries } voci controllate, nessuna alterata.
trail-broken = Il registro è rotto alla voce { $sequence }: { $reason }
trail-filter-model = Cosa è cambiato
trail-none = Qui non è ancora successo nulla.
trail-when = Quando (UTC)
trail-who = Chi
trail-what = Cosa
trail-the-platform = La piattaforma
trail-model-process = Processo
trail-model-item = Elemento del piano
trail-model-task = Attività
trail-model-grant = Diritti
trail-model-asset = Risorsa
trail-model-claim = Contributo
trail-model-story = Storia
trail-action-created = creato
trail-action-updated = modificato
trail-action-deleted = eliminato
trail-action-schema-set = pianificato da uno schema
trail-action-schema-cleared = piano svuotato
trail-action-cloned = clonato
trail-action-imported = importato
trail-action-added = aggiunto
trail-action-removed = tolto
trail-action-copied = copiato
trail-action-disabled = disattivato
trail-action-status-changed = stato cambiato
trail-action-submitted = dichiarato
trail-action-decided = deciso
trail-action-published = pubblicata
trail-action-rated = valutata

# La panoramica di un processo: passi e attività
wizard-title = Preparare il processo
wizard-data = Descrivere il processo e sceglierne gli amministratori
wizard-schema = Pianificarlo da uno schema
wizard-teams = Coinvolgere squadre
wizard-permissions = Permettere alle squadre di lavorarci
wizard-resources = Aggiungere risorse alle attività
wizard-ready = Iniziare la prima attività
wizard-done = fatto
wizard-pending = da fare
process-activity = Attività recente
process-activity-all = Tutta l’attività

# Importare, clonare e svuotare processi
import-title = Importa un processo
import-lead = Crea un nuovo processo da un file scaricato dalle impostazioni di un processo, qui o su un altro Interlink.
import-file = Il file del processo (JSON)
import-file-hint = Un file nel formato interlink.process/1, fino a 2 MB.
import-button = Importalo
import-file-missing = Scegli il file da importare
import-file-unreadable = Il file non si è potuto leggere come testo
import-objections = Il file non è stato importato. Ogni punto del file da correggere:
import-too-large-title = Il file è troppo grande
import-too-large-text = Un file di processo può arrivare a 2 MB.
process-imported = Il processo è stato importato.
process-clone = Clonalo
process-clone-title = Titolo del nuovo processo
process-clone-hint = Se lo lasci vuoto, sarà questo titolo seguito da «(copia)».
process-clone-grants = Dai alle squadre gli stessi diritti nel nuovo processo
process-clone-button = Crea un nuovo processo come questo
process-cloned = Questo è il nuovo processo, fatto come quello da cui è stato clonato.
process-clear = Svuota il piano
process-clear-title = Svuotare il piano di { $name }?
process-clear-text = Le sue fasi, i suoi obiettivi e le sue attività vengono eliminati, con le loro risorse e i contributi, per poterlo pianificare di nuovo. Non si può annullare; scarica prima il processo per conservarne una copia.
process-clear-button = Svuota il piano
process-cleared = Il piano è stato svuotato: pianifica di nuovo il processo da uno schema.
story-clone = Rifallo
story-clone-lead = Avvia un nuovo processo nella stessa organizzazione, pianificato come quello di cui parla questa storia.
story-clone-button = Avvia un processo come questo

# Cercare e ordinare gli elenchi di processi
filter-words = Parole del titolo
filter-tag = Etichetta
filter-sort = Ordine
sort-newest = Più recenti prima
sort-oldest = Meno recenti prima
sort-title = Per titolo
sort-updated = Modificati di recente prima
process-tags = Etichette
process-tags-invalid = Indica fino a 50 etichette di massimo 60 caratteri ciascuna, separate da virgole
asset-instantiate = Crealo nella sua pagina
instantiate-title = Crea una risorsa nel suo interlinker
instantiate-lead = Compila qui sotto la pagina dell’interlinker. Quando avrà creato la risorsa, questa verrà aggiunta all’attività.
instantiate-noscript = Questa pagina richiede JavaScript. Senza, usa il pulsante «Usa» della risorsa: la piattaforma la crea per te.
instantiate-frame = La pagina dell’interlinker
nav-notifications = Notifiche
bell-unseen = { $count ->
    [one] , { $count } da leggere
   *[other] , { $count } da leggere
}
notifications-title = Notifiche
notifications-archive-title = Notifiche archiviate
notifications-views = Notifiche da mostrare
notifications-inbox = In arrivo
notifications-archived = Archiviate
notifications-unseen-count = { $count ->
    [one] Hai { $count } notifica da leggere.
   *[other] Hai { $count } notifiche da leggere.
}
notifications-mark-all = Segna tutte come lette
notifications-mark-seen = Segna come letta
notifications-archive = Archivia
notifications-new = Nuova
notifications-none = Ancora nulla da segnalarti. Qui saprai quando qualcosa ti riguarda: un gruppo, un'attività, una richiesta o un processo.
notifications-none-archived = Non hai archiviato alcuna notifica.
notifications-older = Notifiche precedenti
notifications-all-seen = Tutte le tue notifiche sono segnate come lette.
notifications-archived-done = La notifica è archiviata.
preferences-title = Preferenze di notifica
preferences-tab = Preferenze
preferences-lead = Tutto compare nella tua casella. Scegli quali notifiche ti arrivano anche per e-mail, e quando.
preferences-address = Le e-mail vanno a { $address }, l'indirizzo del tuo account di accesso.
preferences-no-address = Il tuo account di accesso non ha un indirizzo e-mail, quindi non ti viene inviata alcuna e-mail.
preferences-email-off = Questa piattaforma non invia e-mail: le tue notifiche restano nella tua casella.
preferences-save = Salva le mie preferenze
preferences-immediate = Per e-mail subito
preferences-daily = In un riepilogo quotidiano per e-mail
preferences-never = Solo nella mia casella
preference-team-member-added = Quando vengo aggiunto a un gruppo
preference-team-member-removed = Quando vengo rimosso da un gruppo
preference-team-granted = Quando a un mio gruppo viene affidato un processo o una sua parte
preference-application-submitted = Quando qualcuno chiede di entrare in un gruppo che amministro
preference-application-decided = Quando viene decisa la mia richiesta di entrare in un gruppo
preference-invitation = Quando vengo invitato a entrare in un gruppo
preference-claim-submitted = Quando qualcuno dichiara un contributo in un processo che amministro
preference-claim-decided = Quando viene deciso il mio contributo dichiarato
preference-task-startable = Quando un'attività del mio gruppo può iniziare
preference-process-finished = Quando si conclude un processo a cui partecipo
preference-story-published = Quando viene pubblicata una storia di un processo a cui partecipo
unsubscribe-title = Non ricevere più e-mail
unsubscribe-lead = Non ricevere più le e-mail di questo link? Continuerai a vedere ogni notifica nella tua casella.
unsubscribe-button = Non ricevere più queste e-mail
unsubscribe-preferences = Cambia le tue preferenze di notifica
unsubscribed-kind = Fatto. Non riceverai più e-mail di questo tipo: { $kind }.
unsubscribed-all = Fatto. Non riceverai più e-mail di notifica.
unsubscribe-invalid-title = Questo link non funziona
unsubscribe-invalid-text = Il link per annullare l'iscrizione è incompleto o non è stato inviato da questa piattaforma. Accedi per cambiare le tue preferenze di notifica.
your-notifications-download = Scarica le mie notifiche e le loro preferenze (JSON)
