someone = Kāds
a-team = komanda
a-process = process
a-task = uzdevums
team_member_added = { $actor } jūs pievienoja komandai { $team }.
team_member_removed = { $actor } jūs izņēma no komandas { $team }.
team_granted = { $item ->
    [none] Jūsu komandai { $team } uzticēts process { $process }.
   *[other] Jūsu komandai { $team } uzticēts “{ $item }” procesā { $process }.
}
application_submitted = { $actor } pieteicās komandai { $team }.
application_decided = { $decision ->
    [accepted] Jūsu pieteikums komandai { $team } ir pieņemts.
   *[rejected] Jūsu pieteikums komandai { $team } ir noraidīts.
}
invitation = { $actor } jūs uzaicināja pievienoties komandai { $team }.
claim_submitted = { $item ->
    [none] { $actor } pieteica paveikto darbu pie resursa procesā { $process }.
   *[other] { $actor } pieteica paveikto darbu “{ $item }” procesā { $process }.
}
claim_decided = { $decision ->
    [accepted] Jūsu pieteiktais darbs procesā { $process } ir apstiprināts.
   *[rejected] Jūsu pieteiktais darbs procesā { $process } ir noraidīts.
}
task_startable = “{ $item }” procesā { $process } var sākt: tas, ko tas gaidīja, ir pabeigts.
process_finished = Process { $process } ir pabeigts.
story_published = Publicēts stāsts par procesu { $process }: “{ $story }”.
webhook_disabled = Tīmekļa āķis uz { $url } tika atspējots: tā piegādes dienu neizdevās. Salabojiet saņēmēju un iespējojiet to atkal.
contribution_requested = { $message ->
    [none] { $actor } lūdza jūs sniegt ieguldījumu “{ $item }” procesā { $process }.
   *[other] { $actor } lūdza jūs sniegt ieguldījumu “{ $item }” procesā { $process }: “{ $message }”
}
feed-team_granted = { $item ->
    [none] Komandai { $team } uzticēts process.
   *[other] Komandai { $team } uzticēts “{ $item }”.
}
feed-claim_submitted = { $item ->
    [none] { $actor } pieteica paveikto darbu pie resursa.
   *[other] { $actor } pieteica paveikto darbu “{ $item }”.
}
feed-claim_decided = { $decision ->
    [accepted] Pieteiktais darbs ir apstiprināts.
   *[rejected] Pieteiktais darbs ir noraidīts.
}
feed-contribution_requested = { $actor } lūdza ieguldījumu “{ $item }”.
feed-task_startable = “{ $item }” var sākt: tas, ko tas gaidīja, ir pabeigts.
feed-process_finished = Process ir pabeigts.
feed-story_published = Publicēts stāsts: “{ $story }”.
feed-task_status = { $status ->
    [in_progress] { $actor } sāka “{ $item }”.
   *[finished] { $actor } pabeidza “{ $item }”.
}
mail-digest-subject = { $count ->
    [zero] Jūsu dienas kopsavilkums: { $count } paziņojumu
    [one] Jūsu dienas kopsavilkums: { $count } paziņojums
   *[other] Jūsu dienas kopsavilkums: { $count } paziņojumi
}
mail-digest-intro = { $count ->
    [one] Lūk, kas jūs skāra kopš pēdējā kopsavilkuma.
   *[other] Lūk, { $count } lietas, kas jūs skāra kopš pēdējā kopsavilkuma.
}
mail-open = Atvērt
mail-why = Jūs saņemat šo e-pastu savu paziņojumu iestatījumu dēļ.
mail-preferences = Mainīt paziņojumu iestatījumus
mail-unsubscribe-kind = Pārtraukt šāda veida e-pastus
mail-unsubscribe-all = Pārtraukt šos e-pastus
