skip-to-content = Pāriet uz galveno saturu
nav-label = Galvenā izvēlne
nav-home = Sākums
nav-catalogue = Katalogs
languages-label = Valoda
home-title = Kopīgi veidosim publiskos pakalpojumus
home-lead = Šeit valsts pārvalde, organizācijas un iedzīvotāji kopā izstrādā un sniedz publiskos pakalpojumus, izmantojot citur pārbaudītu rīku un vadlīniju katalogu.
home-catalogue-title = Katalogs
home-catalogue-text = Atrodiet rīkus, vadlīnijas un metodes — interlinkerus — katram kopradīšanas procesa solim.
home-catalogue-link = Pārlūkot katalogu
catalogue-title = Katalogs
catalogue-lead = Rīki, vadlīnijas un metodes publisko pakalpojumu kopradīšanai.
search-label = Meklēt katalogā
search-button = Meklēt
results-count = { $count ->
    [0] Neviens interlinkers nav atrasts
    [zero] Atrasti { $shown } interlinkeru
    [one] Atrasts { $shown } interlinkers
   *[other] Atrasti { $shown } interlinkeri
}
results-hint = Mēģiniet citus vārdus vai notīriet meklēšanu, lai redzētu visu.
next-page = Nākamā lapa
nature-software = Programmatūra
nature-knowledge = Zināšanas
nature-external-software = Ārēja programmatūra
nature-external-knowledge = Ārējas zināšanas
in-language = valodā: { $language }
not-found-title = Lapa nav atrasta
not-found-text = Šajā adresē nav lapas. Pārbaudiet to vai sāciet no jauna sākumlapā.
unavailable-title = Atvainojiet, šī lapa pašlaik nav pieejama
unavailable-text = Kāda platformas daļa neatbildēja. Mēģiniet vēlreiz pēc dažām minūtēm.
bad-request-title = Pieprasījumu neizdevās nolasīt
footer-text = { $site } darbojas ar Interlink — brīvu programmatūru publisko pakalpojumu kopradīšanai.
