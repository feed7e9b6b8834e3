"""Voice: speech to text, text to speech, utterance detection, audio devices.

Kept import-light: nothing here loads vosk, pocketsphinx, pyttsx3 or pyaudio;
each submodule imports its engine when it is used.
"""
