import sys

from django.core.management.base import BaseCommand, CommandError

from observatory.blog import services
from observatory.blog.spam import SpamDataError, read_labelled
from observatory.blog.spam import main as spam_main


class Command(BaseCommand):
    help = "The comment-spam filter: evaluate on labelled files, train the blog's stored model, status."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*", metavar="COMMAND",
                            help="evaluate --train FILE... (--test FILE | --split 0.8 [--shuffle SEED [--repeat N]])  |  train FILE...  |  status")

    def run_from_argv(self, argv):
        # `evaluate` hands its own options to the spam package's argparse (observatory.blog.spam.main).
        if len(argv) > 2 and argv[2] == "evaluate":
            sys.exit(spam_main(argv[2:]))
        super().run_from_argv(argv)

    def handle(self, *args, **options):
        if not args:
            raise CommandError("expected a command: evaluate, train or status (observatory spam --help)")
        command, rest = args[0], list(args[1:])
        if command == "evaluate":
            status = spam_main(["evaluate", *rest])
            if status:
                raise CommandError(f"spam evaluate failed (exit status {status})")
            return
        if command == "train":
            if not rest:
                raise CommandError("spam train: name labelled files (YouTube Spam Collection CSV or SMS TSV)")
            texts, labels, groups = [], [], []
            for name in rest:
                try:
                    messages = read_labelled(name)
                except (SpamDataError, OSError) as error:
                    raise CommandError(f"spam train: {error}") from None
                for message in messages:
                    texts.append(message.text)
                    labels.append(message.is_spam)
                    groups.append(name if len(rest) > 1 else len(groups) * 5 // max(len(messages), 1))
            model = services.classifier_train(texts, labels, groups)
            self.stdout.write(f"trained on {len(texts)} messages ({sum(labels)} spam); thresholds: ham < "
                              f"{model.ham_threshold:.3f}, spam >= {model.spam_threshold:.3f}; stored as the blog's model")
            return
        if command == "status":
            from observatory.blog.models import SpamModelState

            state = SpamModelState.objects.filter(name="default").first()
            if state is None:
                self.stdout.write("no stored model: every comment is held for moderation until one is trained "
                                  "(observatory spam train FILE...) or moderators decide")
                return
            model = services.classifier_load()
            self.stdout.write(f"stored model: {model.seen} examples seen, {state.decisions} moderation decisions, "
                              f"ham < {model.ham_threshold:.3f}, spam >= {model.spam_threshold:.3f}, "
                              f"updated {state.updated:%Y-%m-%d %H:%M}")
            return
        raise CommandError(f"unknown spam command {command!r}; accepted: evaluate, train, status")
