"""The write functions on their own: the rules hold even when no form is in front of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from openiop.programs import services
from openiop.programs.models import Program, Room, SessionType, Track


def test_track_create_refuses_no_days_and_unknown_days(world) -> None:
    before = Track.objects.count()
    for days in ([], [7], ["x"]):
        with pytest.raises(ValidationError) as caught:
            services.track_create(
                program=world.program,
                name="Odd",
                days=days,
                start_time=dt.time(9),
                end_time=dt.time(10),
            )
        assert "days" in caught.value.message_dict
    assert Track.objects.count() == before


def test_track_create_sorts_and_deduplicates_days(world) -> None:
    track = services.track_create(
        program=world.program,
        name="Late",
        days=[4, 0, 4],
        start_time=dt.time(17),
        end_time=dt.time(20),
    )
    assert track.days == "0,4"


def test_program_create_refuses_an_unknown_time_zone(world) -> None:
    with pytest.raises(ValidationError) as caught:
        services.program_create(
            site=world.site,
            created_by=world.director,
            name="New",
            time_zone="Nowhere/Special",
            weekly_hours_min=Decimal(9),
            weekly_hours_max=Decimal(12),
            planned_weeks=6,
        )
    assert "not a known time zone" in str(caught.value)
    assert not Program.objects.filter(name="New").exists()


def test_program_create_refuses_a_site_of_another_organization(world) -> None:
    with pytest.raises(ValidationError):
        services.program_create(
            site=world.other_org_program.site,
            created_by=world.director,
            name="Sneaky",
            time_zone="UTC",
            weekly_hours_min=Decimal(9),
            weekly_hours_max=Decimal(12),
            planned_weeks=6,
        )
    assert not Program.objects.filter(name="Sneaky").exists()


def test_program_update_keeps_a_part_2_program_with_records_flagged(world) -> None:
    world.program.treats_sud = True
    world.program.save(update_fields=["treats_sud"])
    with pytest.raises(ValidationError) as caught:
        services.program_update(
            program=world.program,
            site=world.site,
            name=world.program.name,
            time_zone="America/Chicago",
            weekly_hours_min=Decimal(9),
            weekly_hours_max=Decimal(19),
            planned_weeks=10,
            phone="",
            treats_sud=False,
            is_active=True,
        )
    assert "42 CFR Part 2" in caught.value.message_dict["treats_sud"][0]
    world.program.refresh_from_db()
    assert world.program.treats_sud


def test_room_create_refuses_zero_capacity(world) -> None:
    with pytest.raises(ValidationError) as caught:
        services.room_create(site=world.site, name="Closet", capacity=0)
    assert caught.value.message_dict["capacity"] == ["A room must hold at least one person."]
    assert not Room.objects.filter(name="Closet").exists()


def test_session_type_create_refuses_lengths_outside_5_to_480_minutes(world) -> None:
    for minutes in (4, 481):
        with pytest.raises(ValidationError):
            services.session_type_create(
                program=world.program,
                name=f"Odd {minutes}",
                category="other",
                default_minutes=minutes,
            )
    assert not SessionType.objects.filter(name__startswith="Odd").exists()


def test_a_rename_to_a_taken_name_is_refused_but_keeping_my_own_name_is_fine(world) -> None:
    with pytest.raises(ValidationError) as caught:
        services.track_update(
            track=world.evening,
            name="Morning",
            days=[1],
            start_time=dt.time(17),
            end_time=dt.time(20),
            is_active=True,
        )
    assert "already has a track named" in caught.value.message_dict["name"][0]
    track = services.track_update(
        track=world.evening,
        name="Evening",
        days=[1],
        start_time=dt.time(17),
        end_time=dt.time(20),
        is_active=True,
    )
    assert track.days == "1"
