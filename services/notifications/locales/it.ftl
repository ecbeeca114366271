someone = Qualcuno
a-team = un gruppo
a-process = un processo
a-task = un'attività
team_member_added = { $actor } ti ha aggiunto al gruppo { $team }.
team_member_removed = { $actor } ti ha rimosso dal gruppo { $team }.
team_granted = { $item ->
    [none] Al tuo gruppo { $team } è stato affidato il processo { $process }.
   *[other] Al tuo gruppo { $team } è stato affidato «{ $item }» in { $process }.
}
application_submitted = { $actor } ha chiesto di entrare nel gruppo { $team }.
application_decided = { $decision ->
    [accepted] La tua richiesta di entrare nel gruppo { $team } è stata accettata.
   *[rejected] La tua richiesta di entrare nel gruppo { $team } è stata respinta.
}
invitation = { $actor } ti ha invitato a entrare nel gruppo { $team }.
claim_submitted = { $item ->
    [none] { $actor } ha dichiarato un contributo su una risorsa di { $process }.
   *[other] { $actor } ha dichiarato un contributo su «{ $item }» in { $process }.
}
claim_decided = { $decision ->
    [accepted] Il tuo contributo dichiarato in { $process } è stato approvato.
   *[rejected] Il tuo contributo dichiarato in { $process } è stato respinto.
}
task_startable = «{ $item }» in { $process } può iniziare: ciò che attendeva è concluso.
process_finished = Il processo { $process } è concluso.
story_published = È stata pubblicata una storia di { $process }: «{ $story }».
webhook_disabled = Il webhook verso { $url } è stato disattivato: le sue consegne sono fallite per un giorno. Correggi il ricevitore, poi riattivalo.
contribution_requested = { $message ->
    [none] { $actor } ti ha chiesto di contribuire a «{ $item }» in { $process }.
   *[other] { $actor } ti ha chiesto di contribuire a «{ $item }» in { $process }: «{ $message }»
}
feed-team_granted = { $item ->
    [none] Al gruppo { $team } è stato affidato il processo.
   *[other] Al gruppo { $team } è stato affidato «{ $item }».
}
feed-claim_submitted = { $item ->
    [none] { $actor } ha dichiarato un contributo su una risorsa.
   *[other] { $actor } ha dichiarato un contributo su «{ $item }».
}
feed-claim_decided = { $decision ->
    [accepted] Un contributo dichiarato è stato approvato.
   *[rejected] Un contributo dichiarato è stato respinto.
}
feed-contribution_requested = { $actor } ha chiesto contributi per «{ $item }».
feed-task_startable = «{ $item }» può iniziare: ciò che attendeva è concluso.
feed-process_finished = Il processo è concluso.
feed-story_published = È stata pubblicata una storia: «{ $story }».
feed-task_status = { $status ->
    [in_progress] { $actor } ha iniziato «{ $item }».
   *[finished] { $actor } ha concluso «{ $item }».
}
mail-digest-subject = { $count ->
    [one] Il tuo riepilogo quotidiano: { $count } notifica
   *[other] Il tuo riepilogo quotidiano: { $count } notifiche
}
mail-digest-intro = { $count ->
    [one] Ecco ciò che ti ha riguardato dall'ultimo riepilogo.
   *[other] Ecco le { $count } cose che ti hanno riguardato dall'ultimo riepilogo.
}
mail-open = Apri
mail-why = Ricevi questa e-mail per le tue preferenze di notifica.
mail-preferences = Cambia le tue preferenze di notifica
mail-unsubscribe-kind = Non ricevere più e-mail di questo tipo
mail-unsubscribe-all = Non ricevere più queste e-mail
