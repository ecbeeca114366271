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
