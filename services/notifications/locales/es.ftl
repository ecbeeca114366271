someone = Alguien
a-team = un equipo
a-process = un proceso
a-task = una tarea
team_member_added = { $actor } te ha añadido al equipo { $team }.
team_member_removed = { $actor } te ha quitado del equipo { $team }.
team_granted = { $item ->
    [none] Tu equipo { $team } ha recibido el proceso { $process }.
   *[other] Tu equipo { $team } ha recibido «{ $item }» en { $process }.
}
application_submitted = { $actor } ha solicitado unirse al equipo { $team }.
application_decided = { $decision ->
    [accepted] Tu solicitud para unirte al equipo { $team } ha sido aceptada.
   *[rejected] Tu solicitud para unirte al equipo { $team } ha sido rechazada.
}
invitation = { $actor } te ha invitado a unirte al equipo { $team }.
claim_submitted = { $item ->
    [none] { $actor } ha declarado trabajo en un recurso de { $process }.
   *[other] { $actor } ha declarado trabajo en «{ $item }» de { $process }.
}
claim_decided = { $decision ->
    [accepted] Tu declaración de trabajo en { $process } ha sido aprobada.
   *[rejected] Tu declaración de trabajo en { $process } ha sido rechazada.
}
task_startable = «{ $item }» de { $process } puede empezar: lo que esperaba ha terminado.
process_finished = El proceso { $process } ha terminado.
story_published = Se ha publicado una historia de { $process }: «{ $story }».
webhook_disabled = Se desactivó el webhook a { $url }: sus entregas fallaron durante un día. Corrija el receptor y vuelva a activarlo.
contribution_requested = { $message ->
    [none] { $actor } te pidió que contribuyas a «{ $item }» en { $process }.
   *[other] { $actor } te pidió que contribuyas a «{ $item }» en { $process }: «{ $message }»
}
feed-team_granted = { $item ->
    [none] El equipo { $team } ha recibido el proceso.
   *[other] El equipo { $team } ha recibido «{ $item }».
}
feed-claim_submitted = { $item ->
    [none] { $actor } ha declarado trabajo en un recurso.
   *[other] { $actor } ha declarado trabajo en «{ $item }».
}
feed-claim_decided = { $decision ->
    [accepted] Se aprobó una declaración de trabajo.
   *[rejected] Se rechazó una declaración de trabajo.
}
feed-contribution_requested = { $actor } pidió contribuciones a «{ $item }».
feed-task_startable = «{ $item }» puede empezar: lo que esperaba ha terminado.
feed-process_finished = El proceso ha terminado.
feed-story_published = Se publicó una historia: «{ $story }».
feed-task_status = { $status ->
    [in_progress] { $actor } empezó «{ $item }».
   *[finished] { $actor } terminó «{ $item }».
}
mail-digest-subject = { $count ->
    [one] Tu resumen diario: { $count } notificación
   *[other] Tu resumen diario: { $count } notificaciones
}
mail-digest-intro = { $count ->
    [one] Esto es lo que te concierne desde tu último resumen.
   *[other] Estas son las { $count } cosas que te conciernen desde tu último resumen.
}
mail-open = Abrir
mail-why = Recibes este correo por tus preferencias de notificación.
mail-preferences = Cambiar tus preferencias de notificación
mail-unsubscribe-kind = Dejar de recibir correos de este tipo
mail-unsubscribe-all = Dejar de recibir estos correos
