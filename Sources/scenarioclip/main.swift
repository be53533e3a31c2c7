import ScenarioCLIPCommands

ScenarioCLIPCommand.main()
