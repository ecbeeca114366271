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
bad-request-text = Nosūtītais nav veidlapa, ko šī lapa var nolasīt. Atgriezieties un mēģiniet vēlreiz.
sign-in = Pieteikties
sign-out = Izrakstīties
signed-in-as = Pieteicies kā { $name }
account-label = Jūsu konts
session-ended = Jūsu sesija ir beigusies. Piesakieties vēlreiz, lai turpinātu.
sign-in-title = Pieteikties
dev-sign-in-lead = Šī ir izmēģinājuma instalācija: piesakieties kā jebkurš, ierakstot lietotāja identifikatoru. Valsts pārvaldes instalācijā cilvēki piesakās ar saviem kontiem.
sign-in-subject = Lietotāja identifikators
sign-in-subject-hint = Līdz 64 burtiem, cipariem un . _ @ - (tā pati persona kā “interlink token --sub”).
sign-in-name = Jūsu vārds (nav obligāts)
sign-in-name-hint = Tā, kā to redzēs citi. Ja atstāsiet tukšu, tiks rādīts jūsu identifikators.
sign-in-admin = Pieteikties kā platformas administratoram
sign-in-button = Pieteikties
sign-in-subject-missing = Ierakstiet lietotāja identifikatoru
sign-in-subject-invalid = Identifikatorā izmantojiet līdz 64 burtiem, cipariem un . _ @ -
sign-in-name-invalid = Vārdam izmantojiet līdz 100 rakstzīmēm vienā rindā
error-summary-title = Radusies problēma
error-prefix = Kļūda
form-refused-title = Šo veidlapu nevarēja pieņemt
form-refused-text = Tā tika nosūtīta no citas vietnes, vai arī tās lapa bija atvērta tik ilgi, ka sesija beidzās. Atgriezieties, pārlādējiet lapu un mēģiniet vēlreiz.
