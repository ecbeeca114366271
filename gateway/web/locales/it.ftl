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
