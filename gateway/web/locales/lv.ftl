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
breadcrumb-label = Jūs atrodaties šeit
section-description = Kas tas ir
section-instructions = Kā to izmantot
section-constraints = Ierobežojumi
section-regulations = Normatīvi un standarti
facts-languages = Valodas
facts-problem-profiles = Problēmu profili
open-external = Atvērt to tā vietnē
genesis-title = Veidnes
genesis-text = Sākuma dokuments katrā valodā, kurā tas ir uzrakstīts:
state-draft = Šis interlinkers ir melnraksts: to redz tikai kataloga redaktori.
state-deprecated = Šis interlinkers ir novecojis: tas paliek procesiem, kas to izmanto, bet jauniem to nevajadzētu izvēlēties.
rating-summary = { $count ->
    [0] Vēl nav novērtēts
    [zero] Novērtējums { $average } no 5, vērtējuši { $shown } cilvēki
    [one] Novērtējums { $average } no 5, vērtējis { $shown } cilvēks
   *[other] Novērtējums { $average } no 5, vērtējuši { $shown } cilvēki
}
rating-stars = { $value ->
    [one] { $value } zvaigzne no 5
   *[other] { $value } zvaigznes no 5
}
ratings-title = Vērtējumi
no-ratings = Neviens vēl nav novērtējis šo interlinkeru.
someone = Kāds
rate-heading = Novērtējiet šo interlinkeru
rate-replaces = Jūs to jau novērtējāt: saglabājot jūsu vērtējums tiks aizstāts.
rate-value = Jūsu vērtējums
rate-title-label = Virsraksts (nav obligāts)
rate-title-hint = Līdz 200 rakstzīmēm vienā rindā.
rate-text-label = Jūsu atsauksme (nav obligāta)
rate-text-hint = Līdz 5000 rakstzīmēm: kas noderēja un kam.
rate-button = Saglabāt manu vērtējumu
rate-sign-in = Piesakieties, lai novērtētu šo interlinkeru
rate-saved = Paldies: jūsu vērtējums ir saglabāts.
rate-value-invalid = Izvēlieties no 1 līdz 5 zvaigznēm
rate-title-invalid = Virsrakstam izmantojiet līdz 200 rakstzīmēm vienā rindā
rate-text-invalid = Atsauksmei izmantojiet līdz 5000 rakstzīmēm
rate-unpublished-title = Var novērtēt tikai publicētus interlinkerus
rate-unpublished-text = Šis interlinkers ir melnraksts vai novecojis, tāpēc tagad to nevar novērtēt.
sign-in-needed-title = Lūdzu, piesakieties vēlreiz
sign-in-needed-text = Jūsu sesija beidzās, pirms veidlapa tika nosūtīta. Piesakieties un nosūtiet to vēlreiz.
related-title = Saistītie interlinkeri
